"""三包 (repair, exchange, refund) under the PRC rules for mobile phones and their parts: the catalogue
of products and parts with their warranty policies, serial numbers, sales to customers, repairs,
exchanges, and decisions of what a customer is entitled to for a fault.

Layers (a small app, single files): `models.py`; `permissions.py` (one table of who may read, write,
delete and configure each record; reads follow the sale's customer); `selectors.py` (reads, scoped by
the table, and a unit's warranty status); `services.py` (writes, each checking its actor); `engine.py`
(the rules as pure functions, property-tested) and `reasons.py` (their reasons in the reader's
language); `api.py`, `schemas.py`, `views.py`, `forms.py`, `urls.py`, `demo.py`, `timeline.py`.
"""
