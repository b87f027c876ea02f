"""Writes of the analytics app: refreshing the star schema (数据仓库刷新)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict
from guanxi.core.run_errors import INTERRUPTED

from .models import WarehouseRefresh
from .permissions import permissions
from .warehouse.capture import install_capture_triggers
from .warehouse.refresh import Progress, RefreshBusy, warehouse_write

logger = logging.getLogger(__name__)


def _no_progress(label: str, done: int, total: int) -> None:
    return None


def warehouse_refresh(*, actor=SYSTEM, full: bool = False, progress: Progress | None = None) -> WarehouseRefresh:
    """Refresh the star schema: incremental (the rows changed since the last refresh) or a full
    rebuild. The run is recorded before it starts and after it ends, whatever happens, so the UI
    shows its status; a failed or killed run leaves the last complete warehouse in place."""
    permissions.require(actor, "warehouse", "write")
    install_capture_triggers()  # cheap and idempotent; SQLite loses them when a table is rebuilt
    mode = WarehouseRefresh.Mode.FULL if full else WarehouseRefresh.Mode.INCREMENTAL
    run = WarehouseRefresh.objects.create(mode=mode, started_at=timezone.now())
    try:
        manifest = warehouse_write(full=full, refresh_id=run.pk, progress=progress or _no_progress,
                                   on_locked=lambda: _interrupted_runs_failed(run))
    except RefreshBusy as exc:  # another process holds the warehouse: this run never started
        run.delete()
        raise Conflict(_("A warehouse refresh is already running."), code="warehouse_busy") from exc
    except Exception as exc:
        logger.exception("warehouse refresh %s failed", run.pk)
        _finish(run, WarehouseRefresh.Status.FAILED, error=repr(exc)[:2000])
        raise
    run.watermark = manifest.watermark
    run.rows = {name: files.rows + files.delta_rows for name, files in manifest.tables.items()}
    _finish(run, WarehouseRefresh.Status.DONE)
    return run


def _interrupted_runs_failed(run: WarehouseRefresh) -> None:
    """Under the warehouse lock no other refresh is alive: one still "running" was killed (the
    warehouse it left is the last complete one) and is recorded as failed."""
    WarehouseRefresh.objects.filter(status=WarehouseRefresh.Status.RUNNING).exclude(pk=run.pk).update(
        status=WarehouseRefresh.Status.FAILED, error=INTERRUPTED, finished_at=timezone.now())


def _finish(run: WarehouseRefresh, status: str, *, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "watermark", "rows"])
