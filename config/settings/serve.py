"""`guanxi serve` / `make run`: the local defaults (SQLite, inline tasks) served as a product, never
as a debug server: DEBUG off whatever the environment says, and a secret key generated once into
var/secret_key (SECRET_KEY_FILE; owner-only, reused on every start) unless SECRET_KEY is set."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from .local import *  # noqa: F403
from .local import VAR_DIR, env

DEBUG = False


def _secret_key(path) -> str:
    """The key in `path`, created on first use (readable by its owner only). Workers starting
    together race to create it: each writes a key into a file of its own and links it into place,
    which only one can; the others then read that one's key, whole (never a file still empty)."""
    with contextlib.suppress(FileNotFoundError):
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")  # owner-only
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):  # another worker's key is in place: use theirs
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path.read_text().strip()


SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key")))
SECRET_KEY = env("SECRET_KEY", default="") or _secret_key(SECRET_KEY_FILE)
