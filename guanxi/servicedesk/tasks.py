from celery import shared_task

from .services.sweep import clocks_sweep


@shared_task(name="servicedesk.sweep_clocks")
def sweep_clocks() -> dict[str, int]:
    return clocks_sweep()
