"""`guanxi serve` / `make run`: the local defaults (SQLite, inline tasks) served as a product, never
as a debug server: DEBUG off whatever the environment says, and a secret key generated once into
var/secret_key (SECRET_KEY_FILE; owner-only, reused on every start) unless SECRET_KEY is set."""

import os
import secrets
from pathlib import Path

from .local import *  # noqa: F403
from .local import VAR_DIR, env

DEBUG = False


def _secret_key(path) -> str:
    """The key in `path`, created on first use (readable by its owner only)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key")))
SECRET_KEY = env("SECRET_KEY", default="") or _secret_key(SECRET_KEY_FILE)
