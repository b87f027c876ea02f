"""Third-party survey results (第三方调查结果) from CSV/XLSX: columns mapped to the version's questions,
customers matched by customer number or phone, every row validated first (unknown customers, scores
out of range, rows given twice or imported before) with a per-row report; then all rows in one
transaction or none. The answers keep the cell as the file gave it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.core.errors import ValidationFailed
from guanxi.customers import normalize
from guanxi.customers.importing.files import CustomerFileReader
from guanxi.customers.models import Customer

from .. import permissions
from ..enums import SurveyMode, SurveyTrigger
from ..models import QuestionnaireVersion, Survey
from .surveys import answer_clean, response_record, survey_create

MAX_REPORTED = 1_000
BASE_FIELDS = {
    "customer_number": (gettext_noop("Customer number"), ("客户编号", "客户号", "customer number", "customer no")),
    "phone": (gettext_noop("Phone"), ("手机", "手机号", "手机号码", "电话", "phone", "mobile")),
    "answered_at": (gettext_noop("Answered at"), ("回答时间", "调查日期", "日期", "answered at", "date")),
}


@dataclass
class RowProblem:
    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """The outcome: rows read, problems per row (at most MAX_REPORTED listed), imported (0 unless committed)."""

    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    imported: int = 0
    committed: bool = False

    def add(self, row: int, name: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(RowProblem(row, name, reason))


def import_fields(version: QuestionnaireVersion) -> dict:
    """The fields a column can be mapped to: the customer keys, the date, and `q<order>` per question."""
    questions = {f"q{q.order}": (q.text_zh, (f"q{q.order}", q.text_zh, q.text_en)) for q in version.questions.all()}
    return {**BASE_FIELDS, **questions}


def _when(text: str, now: dt.datetime) -> dt.datetime | None:
    if not text:
        return now
    text = text.replace("/", "-")
    try:
        day = parse_date(text) if len(text) <= 10 else None
        # A date alone: noon, so that the day is the same in every time zone of the country.
        parsed = dt.datetime.combine(day, dt.time(12)) if day else parse_datetime(text)
    except ValueError:
        return None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _customers(rows: list[tuple[int, dict]]) -> tuple[dict, dict]:
    codes = {r.get("customer_number", "") for _n, r in rows} - {""}
    phones = {normalize.phone_normalize(r.get("phone", "")) or "" for _n, r in rows} - {""}
    by_code = dict(Customer.objects.alive().filter(code__in=codes).values_list("code", "pk")) if codes else {}
    by_phone: dict[str, int | None] = {}
    if phones:
        for mobile, pk in Customer.objects.alive().filter(mobile__in=phones).values_list("mobile", "pk"):
            by_phone[mobile] = pk if mobile not in by_phone else None  # shared by two: ambiguous
    return by_code, by_phone


def survey_results_import(
    *,
    actor,
    path,
    version: QuestionnaireVersion,
    mapping: dict[str, str] | None = None,
    commit: bool = False,
    encoding: str = "auto",
    sheet: str = "",
    now: dt.datetime | None = None,
) -> ImportReport:
    """Validate a third-party results file and, with `commit` and no problem at all, import every row
    as an answered third-party survey in one transaction (nothing half-imported). Rows given twice in
    the file, or imported before (same customer, version and answer time), are problems."""
    permissions.require(
        actor, "response", "write", allowed=permissions.scope(actor, "response", "write") is permissions.ALL
    )
    now = now or timezone.now()
    fields = import_fields(version)
    reader = CustomerFileReader(path, encoding=encoding, sheet=sheet, mapping=mapping, fields=fields, required=())
    columns = set(reader.columns) - {None}
    if not columns & {"customer_number", "phone"}:
        raise ValidationFailed(
            gettext_noop("Map a column to the customer number or the phone."),
            code="missing_columns",
            fields={"mapping": gettext_noop("customer number or phone")},
        )
    questions = {f"q{q.order}": q for q in version.questions.all()}
    if not columns & set(questions):
        raise ValidationFailed(
            gettext_noop("Map at least one column to a question."),
            code="missing_columns",
            fields={"mapping": gettext_noop("at least one question")},
        )
    rows = list(reader)
    report = ImportReport(rows=len(rows))
    by_code, by_phone = _customers(rows)
    seen: dict[tuple, int] = {}
    ready = []
    for number, row in rows:
        customer_id = None
        if row.get("customer_number"):
            customer_id = by_code.get(row["customer_number"])
        elif row.get("phone"):
            customer_id = by_phone.get(normalize.phone_normalize(row["phone"]) or "")
        if customer_id is None:
            report.add(number, "customer", _("unknown customer"))
        at = _when(row.get("answered_at", ""), now)
        if at is None:
            report.add(number, "answered_at", _("not a date"))
        cleaned = []
        for key, question in questions.items():
            cell = row.get(key, "")
            if not cell:
                if key in columns and question.is_required:
                    report.add(number, key, _("required"))
                continue
            try:
                _raw, score = answer_clean(
                    question, [c.strip() for c in cell.split(",")] if question.type == "multiple" else cell
                )
            except ValueError as exc:
                report.add(number, key, str(exc))
                continue
            cleaned.append((question, cell, score))
        if customer_id is None or at is None:
            continue
        key = (customer_id, at)
        if key in seen:
            report.add(number, "row", _("the same customer and time as row %(row)d") % {"row": seen[key]})
            continue
        seen[key] = number
        if not cleaned:
            report.add(number, "answers", _("no answer"))
            continue
        ready.append((number, customer_id, at, cleaned))
    if ready:
        before = set(
            Survey.objects.filter(
                version=version, mode=SurveyMode.THIRD_PARTY, customer_id__in={r[1] for r in ready}
            ).values_list("customer_id", "answered_at")
        )
        for number, customer_id, at, _cleaned in ready:
            if (customer_id, at) in before:
                report.add(number, "row", _("imported before"))
    if report.problem_count or not commit:
        return report
    _commit(version, ready, actor)
    report.imported, report.committed = len(ready), True
    return report


@transaction.atomic
def _commit(version, ready, actor) -> None:
    customers = Customer.objects.in_bulk([r[1] for r in ready])
    for _number, customer_id, at, cleaned in ready:
        survey, _token = survey_create(
            version=version,
            customer=customers[customer_id],
            mode=SurveyMode.THIRD_PARTY,
            trigger=SurveyTrigger.WAVE,
            now=at,
            with_link=False,
        )
        response_record(survey, cleaned, mode=SurveyMode.THIRD_PARTY, recorded_by=None, at=at)
