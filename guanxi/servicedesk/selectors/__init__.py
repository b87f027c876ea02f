"""Reads of the service desk, one module per noun; every list and detail a user sees is scoped by
`permissions.py` here."""
