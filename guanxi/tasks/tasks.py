from celery import shared_task

from guanxi.accounts.access import SYSTEM

from .services import reminders_send


@shared_task(name="tasks.send_reminders")
def send_reminders() -> dict[str, int]:
    """Appointment reminders (预约提醒) whose time has come, sent once each."""
    return reminders_send(actor=SYSTEM)
