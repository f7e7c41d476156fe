#!/usr/bin/env python3
"""Carts for the recommendation benchmarks: 5,000 carts of 1-3 products, each taken from a real invoice of 3 or more
distinct products (cancellations and non-product codes left out), the same from the same file every time.
Usage: carts.py online_retail.csv.gz carts.txt"""
import csv, gzip, random, sys
random.seed(7)
invoices = {}
for r in csv.DictReader(gzip.open(sys.argv[1], 'rt', encoding='utf-8')):
    if r['InvoiceNo'][0].isdigit() and float(r['Quantity']) > 0 and r['StockCode'][0].isdigit():
        invoices.setdefault(r['InvoiceNo'], []).append(r['StockCode'])
baskets = [sorted(set(b)) for b in invoices.values() if len(set(b)) >= 3]
with open(sys.argv[2], 'w') as f:
    for _ in range(5000):
        b = random.choice(baskets)
        f.write(','.join(random.sample(b, random.randint(1, 3))) + '\n')
