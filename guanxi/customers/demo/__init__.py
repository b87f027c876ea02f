"""Demo data, one module per noun: `customers` (the staff and the customers — the demo company every
other step builds on), `history` (interactions and the ledger) and `dedupe` (deliberate duplicates
and a scan). `CustomersConfig.ready()` registers them with `guanxi.core.demo`, which runs every app's
steps (see there for a step's signature), and imports this package only when the demo runs.
"""

from guanxi.accounts.demo import DEMO_PASSWORD
from guanxi.core.demo import DemoCompany

from ..models import Customer
from .customers import COMPANY_NAME, demo_last_touched, demo_load

COMPANY = DemoCompany(name=COMPANY_NAME, password=DEMO_PASSWORD, load=demo_load, exists=Customer.objects.exists,
                      finish=demo_last_touched)

__all__ = ["COMPANY", "COMPANY_NAME", "demo_last_touched", "demo_load"]
