"""Reads of the sales app, one module per noun, scoped by `permissions.py`."""
