from celery import shared_task
from django.utils import timezone

from guanxi.accounts.access import SYSTEM

from .services import key_person_birthday_tasks


@shared_task(name="key_accounts.birthdays")
def birthdays() -> int:
    """Care tasks for the key-account managers: today's birthdays of key people."""
    return key_person_birthday_tasks(actor=SYSTEM, day=timezone.localdate())
