#!/usr/bin/env python3
"""Builds the demo store's data from the UCI Online Retail dataset (CC BY 4.0, Chen 2015):

  src/Cartwise/Demo/online-retail-sample.csv.gz  every row of the invoices of one customer in five (by CustomerID),
                                                  and of one guest invoice in twenty, in the original order and values
  src/Cartwise/Demo/demo-feed.xml.gz              a Google Merchant Center RSS feed of the sample's products, filed in
                                                  categories derived from their descriptions (rules below)

Usage: scripts/make-demo-data.py ../shared/datasets/online_retail.csv.gz
"""
import csv, gzip, io, re, sys, html
from xml.sax.saxutils import escape

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/online_retail.csv.gz"
out_dir = "src/Cartwise/Demo"

# First matching rule wins; the patterns are whole words of the (upper-case) descriptions.
RULES = [
    ("Seasonal > Christmas", r"CHRISTMAS|XMAS|ADVENT|SANTA|REINDEER|SNOWFLAKE|SNOWMAN|NOEL|ANGEL|BAUBLE|STAR TREE|NATIVITY|ELF"),
    ("Seasonal > Easter", r"EASTER|EGG|BUNNY|CHICK"),
    ("Home > Candles & Holders", r"CANDLE|T-LIGHT|TLIGHT|TEA LIGHT|TEALIGHT|LANTERN|INCENSE|DIFFUSER|OIL BURNER"),
    ("Kitchen & Dining > Baking", r"CAKE|BAKING|CUPCAKE|CASES|MOULD|COOKIE|BISCUIT|PASTRY|ICING"),
    ("Kitchen & Dining > Tableware", r"MUG|CUP|SAUCER|PLATE|BOWL|NAPKIN|CUTLERY|SPOON|TEAPOT|TEA SET|GLASS|JUG|COASTER|PLACEMAT|CAKESTAND|CAKE STAND|STRAWS|BEAKER"),
    ("Kitchen & Dining > Storage & Lunch", r"TIN|JAR|LUNCH|BOTTLE|STORAGE|CANISTER|BREAD BIN|CONTAINER|FOOD|PANTRY"),
    ("Kitchen & Dining > Textiles", r"APRON|OVEN GLOVE|TEA TOWEL|TEATOWEL|TOWEL"),
    ("Bags & Accessories > Bags", r"BAG|TOTE|SHOPPER|PURSE|WALLET|CHARLOTTE|BACKPACK|HOLDALL"),
    ("Bags & Accessories > Jewellery & Hair", r"NECKLACE|BRACELET|EARRING|EARRINGS|RING|HAIR|CHARM|BROOCH|DIAMANTE|BEAD|JEWEL"),
    ("Bags & Accessories > Umbrellas & Gloves", r"UMBRELLA|GLOVES|SCARF|HAT|WARMER"),
    ("Stationery & Party > Cards & Wrap", r"CARD|WRAP|PAPER|GIFT TAG|TAGS|RIBBON|TISSUE|ENVELOPE"),
    ("Stationery & Party > Stationery", r"NOTEBOOK|PENCIL|PEN|RUBBER|ERASER|STICKER|JOURNAL|DIARY|NOTE|MEMO|CALENDAR|BOOK"),
    ("Stationery & Party > Party", r"PARTY|BUNTING|BALLOON|GARLAND|CONFETTI|CRACKER|BANNER|PAPER CHAIN"),
    ("Kids & Toys", r"TOY|DOLL|DOLLY|GAME|SPACEBOY|CHILDREN|CHILDS|KIDS|CIRCUS|JIGSAW|PUZZLE|TEDDY|SKIPPING|BLOCKS|SOLDIER|PLAYHOUSE|CRAYON|COLOURING"),
    ("Home > Lighting", r"LIGHT|LIGHTS|LAMP|LED|NIGHTLIGHT"),
    ("Home > Garden", r"GARDEN|PLANT|PLANTER|WATERING|BIRD|FLOWER POT|POT|SEED|TRELLIS|HERB"),
    ("Home > Decor", r"SIGN|FRAME|CLOCK|MIRROR|CUSHION|HEART|DOORMAT|ORNAMENT|DECORATION|WALL|HOOK|HANGER|VINTAGE|DOORSTOP|BUNNY|WREATH|BOX|BASKET|HANGING|CHALKBOARD|PICTURE|VASE|BELL|COAT RACK|DRAWER|KNOB|THROW|BLANKET|QUILT"),
]
COMPILED = [(c, re.compile(r"\b(" + p + r")S?\b")) for c, p in RULES]

def category(desc):
    d = desc.upper()
    for c, rx in COMPILED:
        if rx.search(d): return c
    return "Home > Gifts & Other"

SERVICE = {"POST", "DOT", "C2", "M", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK"}

rows = []
with gzip.open(src, "rt", encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    for r in reader:
        inv, cust = r[0], r[6]
        if cust:
            keep = int(cust) % 5 == 0
        else:
            digits = re.sub(r"\D", "", inv)
            keep = int(digits) % 20 == 0 if digits else False
        if keep: rows.append(r)

buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(header)
w.writerows(rows)
with open(f"{out_dir}/online-retail-sample.csv.gz", "wb") as out:
    out.write(gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))

products = {}
for r in rows:
    code, desc, qty, price = r[1], r[2].strip(), int(r[3]), float(r[5])
    if code.upper() in SERVICE or code.startswith("gift_") or r[0].startswith(("C", "A")) or qty <= 0 or price <= 0 or not desc:
        continue
    p = products.setdefault(code, {"desc": desc, "price": price})
    p["price"] = price  # the last price charged

items = []
for code in sorted(products):
    p = products[code]
    t = p["desc"].strip().capitalize()
    items.append(f"""<item><g:id>{escape(code)}</g:id><g:title>{escape(t)}</g:title><g:description>{escape(t)} from the Cartwise demo gift shop.</g:description>
<g:link>https://demo.cartwise.invalid/products/{escape(code)}</g:link><g:image_link>https://demo.cartwise.invalid/images/{escape(code)}.jpg</g:image_link>
<g:price>{p['price']:.2f} GBP</g:price><g:availability>in stock</g:availability><g:brand>Cartwise Gifts</g:brand><g:condition>new</g:condition>
<g:product_type>{escape(category(p['desc']))}</g:product_type></item>""")
feed = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>'
        '<title>Cartwise demo gift shop</title><link>https://demo.cartwise.invalid/</link><description>Products of the demo store</description>\n'
        + "\n".join(items) + "\n</channel></rss>\n")
with open(f"{out_dir}/demo-feed.xml.gz", "wb") as out:
    out.write(gzip.compress(feed.encode("utf-8"), compresslevel=9, mtime=0))

from collections import Counter
cats = Counter(category(p["desc"]) for p in products.values())
print(f"{len(rows)} rows, {len(set(r[0] for r in rows))} invoices, {len(products)} products")
for c, n in sorted(cats.items()): print(f"  {n:5}  {c}")
