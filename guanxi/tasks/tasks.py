from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import reminders_send


@job(name="tasks.send_reminders")
def send_reminders() -> dict[str, int]:
    """Appointment reminders (预约提醒) whose time has come, sent once each."""
    return reminders_send(actor=SYSTEM)
