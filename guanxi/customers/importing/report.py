"""The report of an import: every row error and duplicate finding, as a CSV file and (the first
ones) on the job."""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils.translation import gettext, gettext_noop

from guanxi.core.spreadsheet import spreadsheet_cell

from ..validation import KEY_NAMES, message_text
from .rows import field_label

ERROR_CAP = 1000  # row errors kept on the job (the CSV report has them all)
DUPLICATE_CAP = 1000
LEVELS = (gettext_noop("error"), gettext_noop("warning"))  # the report's last column


class Report:
    """Every row error and warning, streamed to a CSV file (UTF-8 with BOM, for Excel) in the
    active language; the first ERROR_CAP errors and DUPLICATE_CAP duplicate findings are kept
    for the job's page and the API."""

    def __init__(self, path: Path | None, *, translate: bool = True, labels: dict | None = None):
        self.path = Path(path) if path else None
        self.labels = labels  # field → label of another import target (default: the customer's)
        self.translate = translate
        self.errors: list[dict] = []
        self.duplicates: list[dict] = []
        self.error_rows: set[int] = set()
        self.error_total = 0
        self.existing_rows: set[int] = set()
        self.file_duplicate_rows: set[int] = set()
        self._out = None
        self._writer = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._out)
            self._writer.writerow(self._header())

    def _header(self) -> list[str]:
        if not self.translate:
            return ["row", "field", "reason", "level"]
        return [gettext("Row"), gettext("Field"), gettext("Reason"), gettext("Level")]

    def _write(self, row: int, name: str, code: str, params: dict | None, level: str) -> None:
        if self._writer is None:
            return
        label = name if not self.translate else (
            str(self.labels[name][0]) if self.labels and name in self.labels else field_label(name))
        shown_level = gettext(level) if self.translate else level
        self._writer.writerow([row, label, spreadsheet_cell(message_text(code, params, translate=self.translate)),
                               shown_level])

    def error(self, row: int, name: str, code: str, params: dict | None = None) -> None:
        self.error_total += 1
        self.error_rows.add(row)
        if len(self.errors) < ERROR_CAP:
            self.errors.append({"row": row, "field": name, "code": code, "params": params or {},
                                "message": message_text(code, params)})
        self._write(row, name, code, params, "error")

    def duplicate(self, row: int, key: str, *, first_row: int | None = None, customer_id: int | None = None,
                  code: str = "", blocking: bool = False, visible: bool = True) -> None:
        """A row that repeats an earlier row's key (`first_row`) or an existing customer's."""
        if customer_id is not None:
            self.existing_rows.add(row)
            params = {"code": code, "field": KEY_NAMES[key]} if visible else {"field": KEY_NAMES[key]}
            message_code = "existing" if visible else "existing_hidden"
        else:
            self.file_duplicate_rows.add(row)
            params = {"row": first_row, "field": KEY_NAMES[key]}
            message_code = "duplicate"
        if blocking:
            self.error(row, key, message_code, params)
        else:
            self._write(row, key, message_code, params, "warning")
        if len(self.duplicates) < DUPLICATE_CAP:
            self.duplicates.append({"row": row, "field": key, "kind": "existing" if customer_id else "file",
                                    "first_row": first_row, "customer_id": customer_id, "code": code,
                                    "blocking": blocking, "reason": message_code, "params": params,
                                    "message": message_text(message_code, params)})

    def finding(self, row: int, name: str, code: str, params: dict | None, *, existing: bool,
                blocking: bool = False) -> None:
        """A duplicate finding of another import target: the row matches an existing record
        (`existing`) or an earlier row of the file; `blocking` makes it an error."""
        (self.existing_rows if existing else self.file_duplicate_rows).add(row)
        if blocking:
            self.error(row, name, code, params)
        else:
            self._write(row, name, code, params, "warning")
        if len(self.duplicates) < DUPLICATE_CAP:
            self.duplicates.append({"row": row, "field": name, "kind": "existing" if existing else "file",
                                    "blocking": blocking, "reason": code, "params": params or {},
                                    "message": message_text(code, params)})

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
