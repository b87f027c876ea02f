"""Customers (客户): records, contacts, addresses, tags, interactions and the transaction ledger, the
360 view and its timeline, imports (`importing/`), duplicate detection and merging (`linkage/`).
The lowest business app: higher apps add to its pages through its registries (`timeline.py`,
`offers.py`) and never the other way round.
"""
