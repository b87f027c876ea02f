"""Progress of a demo load running in the background (`guanxi demo --background`, used by `make run`).

The loading process writes a small JSON file under VAR_DIR after each step; the sign-in page reads
it and says that the demo company is still being loaded (its logins do not exist before the load
commits). A file left by a process that is gone (stopped with Ctrl-C: its transaction rolled back)
counts as no load at all.
"""

import json
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings

LOADING, DONE, FAILED = "loading", "done", "failed"


def status_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-status.json"


def demo_status_write(*, state: str, step: str = "", done: int = 0, total: int = 0, error: str = "",
                      pid: int | None = None) -> None:
    """Record the progress of the loading process (`pid`, default this one), atomically: a reader
    never sees half a file."""
    path = status_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"state": state, "step": step, "done": done, "total": total, "error": error,
                                     "pid": pid or os.getpid()}), encoding="utf-8")
    temporary.replace(path)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def step_label(module: str) -> str:
    """What a step loads, for people: the name of the app whose module it is (客户, 服务台, …)."""
    app = apps.get_containing_app_config(module)
    return str(app.verbose_name) if app else ""


def demo_status_read() -> dict | None:
    """The running or failed load's progress, else None (no load, a finished one, or a stale file).
    `step` is the module of the step being loaded; `step_label` says what it loads in the reader's
    language."""
    try:
        status = json.loads(status_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if status.get("state") == LOADING and _alive(int(status.get("pid") or 0)):
        return {**status, "step_label": step_label(str(status.get("step") or ""))}
    if status.get("state") == FAILED:
        return status
    return None
