from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services.commitments import commitments_sweep
from .services.sweep import clocks_sweep


# Idempotent: a status sweep in batches of one transaction each; a rerun finds only what is left.
@job(name="servicedesk.sweep_clocks")
def sweep_clocks() -> dict[str, int]:
    return clocks_sweep(actor=SYSTEM)


# Idempotent: open promises past due become broken in batches of one transaction; a rerun finds only the rest.
@job(name="servicedesk.sweep_commitments")
def sweep_commitments() -> dict[str, int]:
    """Promises past their due time become broken and raise their follow-up."""
    return commitments_sweep(actor=SYSTEM)
