"""The customers API: one router, mounted once by `config/api.py`; one module per noun — `customers`
(records, profile, 360, audit history, export, brands), `history` (interactions, transactions,
timeline, billing), `imports`, `dedupe` (scans) and `merging` (merges and the review queue).

The order of the routers does not matter: a literal segment (`/customers/imports`, `/customers/merge`,
`/customers/dedupe/…`) never matches a customer id (`{int:customer_id}`), and no two modules serve the
same path (tests/api/test_routing.py holds both).
"""

from ninja import Router

from . import customers, dedupe, history, imports, merging

# Operation ids are published (clients generated from the OpenAPI document call them by it): they keep
# the names they had when each router was a flat module, `guanxi.customers.api_<noun>`.
OPERATION_ID_PREFIXES = {
    customers: "guanxi_customers_api", dedupe: "guanxi_customers_api_dedupe",
    history: "guanxi_customers_api_history", imports: "guanxi_customers_api_imports",
    merging: "guanxi_customers_api_merge",
}

router = Router()
for module, prefix in OPERATION_ID_PREFIXES.items():
    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or f"{prefix}_{operation.view_func.__name__}"
    router.add_router("", module.router)

__all__ = ["router"]
