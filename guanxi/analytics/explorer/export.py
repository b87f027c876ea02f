"""A pivot as an XLSX workbook: the query written above the table, headers, values, totals. Text
cells go through `spreadsheet_cell` (no formula injection from a name or a label)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext

from guanxi.core.spreadsheet import spreadsheet_cell

from .catalogue import DIMENSIONS
from .query import Pivot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pivot_rows(pivot: Pivot) -> list[list]:
    """The pivot as a grid: one header row per column dimension, then a row per row header."""
    names = [str(m.label) for m in pivot.measures]
    row_names = [str(d.label) for d in pivot.rows]
    grid: list[list] = []
    columns = pivot.column_headers if pivot.columns else [[]]
    for level in range(len(pivot.columns)):
        grid.append([str(pivot.columns[level].label) if not row_names else ""] * max(len(row_names), 1)
                    + [header[level].label for header in columns for _ in names]
                    + ([gettext("Total")] * len(names) if pivot.columns else []))
    grid.append((row_names or [""]) + [name for _ in columns for name in names]
                + (names if pivot.columns else []))
    for index, header in enumerate(pivot.row_headers):
        values = [v for cell in pivot.values[index] for v in cell] if pivot.values else []
        total = pivot.row_totals[index] if pivot.columns and pivot.row_totals else []
        grid.append(([h.label for h in header] or [gettext("Total")]) + values + total)
    if pivot.rows:
        grid.append([gettext("Total")] + [""] * (len(row_names) - 1)
                    + [v for cell in pivot.column_totals for v in cell] + (pivot.total if pivot.columns else []))
    return grid


def pivot_xlsx(pivot: Pivot, *, title: str = "") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Explorer")[:31]
    query = pivot.query
    heading = title or gettext("Explorer")
    sheet.append([spreadsheet_cell(f"{heading} {query.date_from:%Y-%m-%d} – {query.date_to:%Y-%m-%d}")])
    for flt in query.filters:
        dimension = DIMENSIONS[flt.dimension]
        words = gettext("not") + " " if flt.exclude else ""
        sheet.append([spreadsheet_cell(f"{dimension.label}: {words}"
                                       + ", ".join("—" if v is None else str(v) for v in flt.values))])
    for row in pivot_rows(pivot):
        sheet.append([spreadsheet_cell(v) if isinstance(v, str) else v for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
