from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import green_steps_escalate, key_person_birthday_tasks


# Idempotent: the day's birthday tasks already made are not made again (key_person_birthday_tasks).
@job(name="key_accounts.birthdays")
def birthdays() -> int:
    """Care tasks for the key-account managers: today's birthdays of key people."""
    return key_person_birthday_tasks(actor=SYSTEM, day=timezone.localdate())


# Idempotent: only steps not yet marked late are escalated, each marked with its task in one transaction.
@job(name="key_accounts.green_escalate")
def green_escalate() -> int:
    """Green-channel steps past their time limit: marked late, their owners' managers told."""
    return green_steps_escalate(actor=SYSTEM)
