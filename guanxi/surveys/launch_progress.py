"""Progress of a wave being launched, for the wave page to poll while the launch's one transaction runs
(nothing it writes to the database is visible before it commits). The launching process writes a small
JSON file under VAR_DIR after each batch; a file left by a process that is gone counts as no launch."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings


def _path(wave_id: int) -> Path:
    return Path(settings.VAR_DIR) / "wave-launch" / f"{int(wave_id)}.json"


def launch_progress_write(wave_id: int, *, done: int, total: int) -> None:
    """Atomically (a reader never sees half a file)."""
    path = _path(wave_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"done": done, "total": total, "pid": os.getpid()}), encoding="utf-8")
    temporary.replace(path)


def launch_progress_clear(wave_id: int) -> None:
    _path(wave_id).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return pid > 0


def launch_progress_read(wave_id: int) -> dict | None:
    """{done, total} of the launch under way, else None."""
    try:
        progress = json.loads(_path(wave_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not _alive(int(progress.get("pid") or 0)):
        return None
    return {"done": int(progress["done"]), "total": int(progress["total"])}
