"""The customers API: one router, mounted once by `config/api.py`; one module per noun — `customers`
(records, profile, 360, audit history, export, brands), `history` (interactions, transactions,
timeline, billing), `imports`, `dedupe` (scans) and `merging` (merges and the review queue). Each
module's router (`guanxi.core.routers.Router`) keeps the operation ids its handlers had when the
router was a flat module, `guanxi.customers.api_<noun>`.

The order of the routers does not matter: a literal segment (`/customers/imports`, `/customers/merge`,
`/customers/dedupe/…`) never matches a customer id (`{int:customer_id}`), and no two modules serve the
same path (tests/test_api_routing.py holds both).
"""

from ninja import Router

from . import customers, dedupe, history, imports, merging

MODULES = (customers, dedupe, history, imports, merging)

router = Router()
for module in MODULES:
    router.add_router("", module.router)

__all__ = ["MODULES", "router"]
