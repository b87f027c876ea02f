"""What else the import machinery can import (导入目标): apps above customers (marketing's leads)
register a target here, and their files go through the same job — upload, column mapping, the
validation pass with its report, the commit, progress on the page and in the command — with their
own fields, rules and writer. Customers themselves are the built-in target "customers" (the fast
engine of `engine` and `writers`); another target validates and writes row by row with its own
services, so its files are smaller (`max_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from guanxi.core.errors import ValidationFailed

CUSTOMERS = "customers"

Progress = Callable[[int, int], None]


@dataclass
class RowCheck:
    """What a target's checker says of one row: the clean values to write, the errors
    ((field, code, params) each), and duplicate findings ((field, code, params, existing): the row
    matches an existing record, or else an earlier row of the file). Codes are messages marked for
    translation (`gettext_noop`), with %-parameters."""

    values: dict | None = None
    errors: list[tuple[str, str, dict | None]] = field(default_factory=list)
    duplicates: list[tuple[str, str, dict | None, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportTarget:
    """One kind of record a file can be imported as.

    - `fields`: field → (label, accepted header spellings), as `files.FIELDS`;
    - `required`: the fields a file must have a column for; `check_columns(columns)` may refuse
      a mapping further (raising `files.ImportFileError`);
    - `require(actor)`: refuses (PermissionDenied) an actor who may not import these records;
    - `checker(job)`: returns the function that checks one mapped row of the job's file (a `RowCheck`),
      as the job's starter (`job.created_by`);
    - `write(job, rows, progress=)`: writes the clean values of every valid row in the caller's
      transaction as the job's starter (any error rolls all back), returning the ids created.
    """

    name: str
    label: str
    fields: dict
    required: tuple[str, ...]
    require: Callable[[object], None]
    checker: Callable[[object], Callable[[dict], RowCheck]]
    write: Callable[..., list[int]]
    check_columns: Callable[[list], None] = lambda columns: None
    max_rows: int = 100_000


_TARGETS: dict[str, ImportTarget] = {}


def register_import_target(target: ImportTarget) -> None:
    if target.name == CUSTOMERS:
        raise ValueError("customers is the built-in import target")
    _TARGETS[target.name] = target


def import_target(name: str) -> ImportTarget | None:
    """The registered target of this name; None for customers (the built-in engine). An unknown name
    is a 422."""
    if name == CUSTOMERS:
        return None
    try:
        return _TARGETS[name]
    except KeyError:
        raise ValidationFailed(fields={"target": gettext_noop("unknown import target")}) from None


def import_target_names() -> list[str]:
    """The registered targets besides customers (for the command line's choices)."""
    return sorted(_TARGETS)
