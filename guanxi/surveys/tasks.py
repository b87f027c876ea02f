from celery import shared_task

from guanxi.accounts.access import SYSTEM

from .services.surveys import surveys_expire


@shared_task(name="surveys.expire")
def expire() -> int:
    """Unanswered surveys past their link's expiry become expired (response rates count them)."""
    return surveys_expire(actor=SYSTEM)
