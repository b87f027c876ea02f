"""Demo data, one module per noun: `customers` (the staff and the customers — the demo company every
other step builds on), `history` (interactions and the ledger) and `dedupe` (deliberate duplicates
and a scan). `CustomersConfig.ready()` registers them with `guanxi.core.demo`, which runs every app's
steps (see there for a step's signature).
"""

from .customers import COMPANY_NAME, demo_last_touched, demo_load

__all__ = ["COMPANY_NAME", "demo_last_touched", "demo_load"]
