"""Demo data, one module per noun: `customers` (the staff and the customers, run first by `guanxi demo`),
`history` (interactions and the ledger) and `dedupe` (deliberate duplicates and a scan).

Higher apps add their own demo data without this app importing them: in `AppConfig.ready()` they
call `register_demo_step("guanxi.<app>.demo.<function>")`. `guanxi demo` runs every step after the
customers, in registration order, in the same transaction. A step is called as
`step(*, seed, scale, staff, customers, now) -> str` (scale 1.0 = 5,000 customers; `customers` are the
new customers' ids; `now` is the moment the demo is generated for — every date lies before it, so
that a pinned `now` and a seed always give the same data) and returns a one-line summary. A step
written before `now` existed (without that parameter) is called without it.
"""

SCALE_CUSTOMERS = 5000  # --customers 5000 is scale 1.0 for the other apps' demo steps

# Dotted paths of `(*, seed, scale, staff, customers) -> str` functions, run in this order after the
# customers. Interactions and transactions are this app's own steps; higher apps append theirs in
# AppConfig.ready().
# The duplicates step enters some customers a second time and runs a duplicate scan (review queue).
DEMO_STEPS: list[str] = ["guanxi.customers.demo.history.interactions_demo_load",
                         "guanxi.customers.demo.history.transactions_demo_load",
                         "guanxi.customers.demo.dedupe.duplicates_demo_load"]


def register_demo_step(path: str) -> None:
    """Add a demo step (dotted path); registering the same path twice keeps one."""
    if path not in DEMO_STEPS:
        DEMO_STEPS.append(path)


from .customers import COMPANY_NAME, demo_last_touched, demo_load  # noqa: E402

__all__ = ["COMPANY_NAME", "DEMO_STEPS", "SCALE_CUSTOMERS", "demo_last_touched", "demo_load", "register_demo_step"]
