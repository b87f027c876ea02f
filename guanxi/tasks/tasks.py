from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import reminders_send


# Idempotent: each reminder is marked sent in its batch's transaction; a worker killed mid-batch hands that batch's
# messages over again when it reruns (at least once to the provider, never lost).
@job(name="tasks.send_reminders")
def send_reminders() -> dict[str, int]:
    """Appointment reminders (预约提醒) whose time has come, sent once each."""
    return reminders_send(actor=SYSTEM)
