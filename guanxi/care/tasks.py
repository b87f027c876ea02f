from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import care_run


# Idempotent: once per customer, rule and occasion (care_run's unique rows).
@job(name="care.run")
def run() -> dict[str, int]:
    """The daily care run (关怀): greetings queued and care tasks created for today's occasions."""
    return care_run(actor=SYSTEM)
