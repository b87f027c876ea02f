"""Warranty (三包): policies as data, product sales by serial number, repairs, exchanges and the
warranty decision engine (`engine.py`). Registers its events on the customer timeline and its demo
step in `apps.py`.
"""
