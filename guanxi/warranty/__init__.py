"""Warranty (三包): policies as data, the coverage of the catalogue's parts by them (the products and
parts themselves are `guanxi.catalog`'s), product sales by serial number, repairs, exchanges and the
warranty decision engine (`engine.py`). Registers its events on the customer timeline and its demo
step in `apps.py`.
"""
