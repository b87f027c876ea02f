"""Writes of the sales app, one module per noun; each checks its actor against `permissions.py`."""
