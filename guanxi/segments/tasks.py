from celery import shared_task

from guanxi.accounts.access import SYSTEM

from .services import value_recompute


@shared_task(name="segments.value_recompute")
def value_recompute_task() -> int:
    """The nightly value run (CELERY_BEAT_SCHEDULE "segments-value-recompute"); returns the run id."""
    return value_recompute(actor=SYSTEM).pk
