"""Validated rows on disk between the validation (the dry run) and the commit: one pickled part file
per chunk in the job's private folder, read back in order."""

from __future__ import annotations

import contextlib
import os
import pickle  # nosec B403  # the app's own spool file, written by this process into a private 0700 work folder; never user input
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


class Spool:
    """Validated chunks, one pickled part file each in a private folder, read back in order."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._next = 0

    def write(self, chunk, *, part: int | None = None) -> None:
        """Spool what `chunk` (an `engine.Chunk`) creates."""
        if part is None:
            part, self._next = self._next, self._next + 1
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / f"part-{part:07d}.pickle").open("wb") as out:
            pickle.dump((chunk.customers, chunk.addresses, chunk.points, chunk.tags), out,
                        protocol=pickle.HIGHEST_PROTOCOL)

    def read(self, part: int) -> tuple[list, list, list, list]:
        """The chunk spooled as `part`."""
        with (self.path / f"part-{part:07d}.pickle").open("rb") as spooled:
            return pickle.load(spooled)  # nosec B301  # the app's own spool file, written by this process into a private 0700 work folder; never user input

    def close(self) -> None:
        pass

    def exists(self) -> bool:
        return self.path.is_dir() and any(self.path.glob("part-*.pickle"))

    def __iter__(self) -> Iterator[tuple[list, list, list, list]]:
        if not self.path.is_dir():
            return
        for part in sorted(self.path.glob("part-*.pickle")):
            with part.open("rb") as spooled:
                yield pickle.load(spooled)  # nosec B301  # the app's own spool file, written by this process into a private 0700 work folder; never user input

    def delete(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._next = 0


def work_base() -> Path:
    return Path(getattr(settings, "IMPORT_WORK_DIR", "") or (Path(settings.VAR_DIR) / "imports"))


def work_dir_for(job_id: int | str) -> Path:
    """Where a job keeps its spool while it waits to be committed."""
    path = work_base() / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def work_paths(job_id: int) -> tuple[Path, Path, Path]:
    """A job's folder, its spool and its saved validation."""
    work = work_dir_for(job_id)
    return work, work / "spool", work / "validation.pickle"


def spools_remove(*, older_than_hours: float, keep: set[int]) -> int:
    """Remove the folders of jobs (other than `keep`) untouched for longer than `older_than_hours`.
    Returns how many went."""
    base = work_base()
    if not base.is_dir():
        return 0
    cutoff = time.time() - older_than_hours * 3600
    removed = 0
    for folder in base.iterdir():
        if not folder.name.isdigit() or int(folder.name) in keep:
            continue
        with contextlib.suppress(OSError):
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
    return removed
