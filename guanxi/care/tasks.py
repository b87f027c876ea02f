from celery import shared_task

from guanxi.accounts.access import SYSTEM

from .services import care_run


@shared_task(name="care.run")
def run() -> dict[str, int]:
    """The daily care run (关怀): greetings queued and care tasks created for today's occasions."""
    return care_run(actor=SYSTEM)
