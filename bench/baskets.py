"""Writes integer basket files (one basket a line, space-separated ids) from the public datasets:
groceries: each line a basket; online_retail: distinct StockCode per invoice, cancellations and non-positive
quantities removed. Usage: baskets.py groceries|online_retail OUT IN.csv.gz"""
import csv, gzip, sys
out = sys.argv[2]
ids = {}
def iid(x):
    return ids.setdefault(x, len(ids) + 1)
with open(out, 'w') as w:
    if sys.argv[1] == 'groceries':
        with gzip.open(sys.argv[3], 'rt') as f:
            for line in f:
                items = sorted({iid(x.strip()) for x in line.strip().split(',') if x.strip()})
                if items: w.write(' '.join(map(str, items)) + '\n')
    else:
        baskets = {}
        with gzip.open(sys.argv[3], 'rt', encoding='utf-8') as f:
            for r in csv.DictReader(f):
                if r['InvoiceNo'].startswith('C') or float(r['Quantity']) <= 0: continue
                baskets.setdefault(r['InvoiceNo'], set()).add(iid(r['StockCode']))
        for b in baskets.values():
            w.write(' '.join(map(str, sorted(b))) + '\n')
