#!/usr/bin/env python3
"""Reads bench/growth.sh's figures (factor, step, seconds, peak MB, size) and prints the growth table in Markdown:
each step's time at each size, net of the process's start-up for the commands that open the database, and its growth
exponent — the least-squares slope of log(time) against log(size), 1.0 for linear, about 1.07 for n log n from 1× to
16× of Online Retail — over all sizes and between the last two (where fixed costs weigh least), with the same for
peak memory; then writes the log-log plot as SVG.
Usage: growth_report.py growth.tsv growth.svg"""
import csv, math, sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
factors = sorted({int(r['factor']) for r in rows})
steps = []
for r in rows:
    if r['step'] not in steps: steps.append(r['step'])
val = {(int(r['factor']), r['step']): r for r in rows}
# Commands that open the database pay the process's start-up and schema check (about a second): measured as
# `report orders` on an empty store would be hard to tell apart, so the start-up is `store list`'s when present.
startup = {f: float(val[(f, 'start-up (store list)')]['seconds']) for f in factors if (f, 'start-up (store list)') in val}

def net(f, step):
    r = val.get((f, step))
    if r is None or r['seconds'] == '': return None
    s = float(r['seconds'])
    if step.startswith(('report', 'model build', 'import')) and f in startup: s = max(s - startup[f], 0.001)
    return s

def slope(points):
    pts = [(math.log(x), math.log(y)) for x, y in points if y and y > 0]
    if len(pts) < 2: return None
    mx = sum(p[0] for p in pts) / len(pts); my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None

head = '| step | ' + ' | '.join(f'{f}× s' for f in factors) + ' | time exponent | ' + (f'{factors[-2]}×→{factors[-1]}× | ' if len(factors) > 2 else '') + ' | '.join(f'{f}× peak MB' for f in factors) + ' | memory exponent |'
print(head)
print('| --- |' + ' ---: |' * (2 * len(factors) + 2 + (len(factors) > 2)))
series = {}
for step in steps:
    if step == 'start-up (store list)': continue
    times = [(f, net(f, step)) for f in factors]
    mems = [(f, float(val[(f, step)]['peak_mb'])) for f in factors if (f, step) in val and val[(f, step)]['peak_mb'] not in ('', None)]
    e = slope([(f, t) for f, t in times if t is not None])
    # The last two sizes alone: start-up and other fixed costs weigh least there.
    last = slope([(f, t) for f, t in times[-2:] if t is not None]) if len(factors) > 2 else None
    m = slope(mems)
    series[step] = [(f, t) for f, t in times if t is not None]
    cells = [('–' if t is None else (f'{t * 1000:.1f} ms' if step.startswith('recommendation') else f'{t:.2f}')) for _, t in times]
    mcells = [next((f'{mb:.0f}' for ff, mb in mems if ff == f), '–') for f in factors]
    print(f'| {step} | ' + ' | '.join(cells) + f' | {"–" if e is None else f"{e:.2f}"} | ' + (f'{"–" if last is None else f"{last:.2f}"} | ' if len(factors) > 2 else '') + ' | '.join(mcells) + f' | {"–" if m is None else f"{m:.2f}"} |')
if startup:
    print('\nstart-up (`cartwise store list`): ' + ', '.join(f'{f}×: {s:.2f} s' for f, s in sorted(startup.items())) + ' — taken off the times of the commands that open the database.')

# The plot: log-log, one line per step, with the slopes of n and n log n for reference (two sizes at least).
if len(factors) < 2: sys.exit(0)
W, H, L, R, T, B = 760, 480, 70, 250, 20, 50
allt = [t for s in series.values() for _, t in s if t]
lo, hi = math.floor(math.log10(min(allt))), math.ceil(math.log10(max(allt)))
fx = lambda f: L + (math.log(f) - math.log(factors[0])) / (math.log(factors[-1]) - math.log(factors[0])) * (W - L - R)
fy = lambda t: T + (hi - math.log10(t)) / (hi - lo) * (H - T - B)
colours = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d', '#475569', '#a16207', '#0f766e', '#7c3aed', '#b91c1c', '#15803d']
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
       f'<title>How the time of each step grows with the size of the store (log-log)</title>',
       f'<rect width="{W}" height="{H}" fill="white"/>']
for d in range(lo, hi + 1):
    y = fy(10 ** d)
    out.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#e5e7eb"/><text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** d:g} s</text>')
for f in factors:
    x = fx(f)
    out.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#e5e7eb"/><text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{f}×</text>')
out.append(f'<text x="{(L + W - R) / 2}" y="{H - 10}" text-anchor="middle">store size (× UCI Online Retail)</text>')
base = min(allt)
for name, fn, dash in (('∝ n', lambda f: f, '6 4'), ('∝ n log n', lambda f: f * math.log(f * 541909) / math.log(541909), '2 3')):
    pts = ' '.join(f'{fx(f):.1f},{fy(base * fn(f)):.1f}' for f in factors)
    out.append(f'<polyline points="{pts}" fill="none" stroke="#9ca3af" stroke-dasharray="{dash}"/>')
for i, (step, pts) in enumerate(series.items()):
    c = colours[i % len(colours)]
    out.append(f'<polyline points="{" ".join(f"{fx(f):.1f},{fy(t):.1f}" for f, t in pts)}" fill="none" stroke="{c}" stroke-width="2"/>')
    for f, t in pts: out.append(f'<circle cx="{fx(f):.1f}" cy="{fy(t):.1f}" r="3" fill="{c}"/>')
    out.append(f'<rect x="{W - R + 14}" y="{T + 4 + i * 17}" width="12" height="3" fill="{c}"/><text x="{W - R + 30}" y="{T + 9 + i * 17}">{step}</text>')
out.append(f'<text x="{W - R + 14}" y="{T + 14 + len(series) * 17}" fill="#6b7280">dashed: ∝ n and ∝ n log n</text>')
out.append('</svg>')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
