from celery import shared_task

from guanxi.accounts.access import SYSTEM

from .services.commitments import commitments_sweep
from .services.sweep import clocks_sweep


@shared_task(name="servicedesk.sweep_clocks")
def sweep_clocks() -> dict[str, int]:
    return clocks_sweep(actor=SYSTEM)


@shared_task(name="servicedesk.sweep_commitments")
def sweep_commitments() -> dict[str, int]:
    """Promises past their due time become broken and raise their follow-up."""
    return commitments_sweep(actor=SYSTEM)
