from guanxi.core.jobs import job

from .services import contracts_sweep


@job(name="orders.sweep_contracts")
def sweep_contracts() -> dict[str, int]:
    """Contracts past their end expire; renewal reminders (tasks) for those ending soon."""
    return contracts_sweep()
