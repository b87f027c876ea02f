"""The customer's self-service portal (自助服务): customers sign in with a password or a one-time code
(their own session, never staff's), open and follow their own cases, and see their warranty units and
products.

Layers (a small app, single files): `models.py`; `permissions.py` (one table: staff open the portal to
customers, the customer acts on their own account and cases only); `selectors.py` (reads of the
signed-in customer's own records); `services.py` (writes, each checking its actor; cases go through
the service desk's services as the customer); `session.py` (the portal's sign-in); `views.py`,
`forms.py`, `urls.py`, `demo.py`.
"""
