from guanxi.core.jobs import job

from .services import contracts_sweep


# Idempotent: contracts still active past their end expire; a renewal reminder only where none was sent (reminded_at).
@job(name="orders.sweep_contracts")
def sweep_contracts() -> dict[str, int]:
    """Contracts past their end expire; renewal reminders (tasks) for those ending soon."""
    return contracts_sweep()
