from celery import shared_task

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict

from .services import warehouse_refresh


@shared_task(name="analytics.warehouse_refresh")
def refresh_warehouse(full: bool = False) -> dict[str, int] | None:
    """The scheduled star-schema refresh; skipped (None) while another refresh holds the warehouse."""
    try:
        return warehouse_refresh(actor=SYSTEM, full=full).rows
    except Conflict:
        return None
