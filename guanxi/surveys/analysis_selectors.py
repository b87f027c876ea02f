"""Reads of the satisfaction analysis (SPEC G.4–G.5), scoped by `permissions.analysis_condition`:
CSAT, NPS and the dimension scores by period and by group with period-over-period changes, response
rates, satisfaction per value segment with loyalty, retention and contribution, and the frame the
driver analysis regresses.

Every figure is counted in SQL (one grouped query per page: per month, group, dimension and question
type; counts, sums and sums of squares) and rolled up in Python into quarters, half-years and years,
so that a page over a million responses reads a few hundred rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.segments.enums import ValueLevel
from guanxi.servicedesk.enums import CustomerTier, TicketType

from . import permissions
from .analysis.aggregates import SATISFIED_PCT, Change, Counts, change, proportion
from .analysis.snapshot import local_month
from .analysis.stats import Figure
from .enums import Dimension, QuestionType, SurveyMode, SurveyStatus
from .models import Answer, AnswerCell, RateCell, Survey

if TYPE_CHECKING:  # the driver frame's libraries load only when a driver analysis runs
    import pandas as pd

PERIODS = {"month": _("Month"), "quarter": _("Quarter"), "half": _("Half-year"), "year": _("Year")}
GROUPS = {
    "segment": (_("Value segment"), "customer__value_snapshot__value_level", ValueLevel),
    "channel": (_("Survey channel"), "mode", SurveyMode),
    "team": (_("Team"), "ticket__team__name", None),
    "case_type": (_("Case type"), "ticket__type", TicketType),
    "standard": (_("Service standard (customer tier)"), "ticket__customer_tier", CustomerTier),
    "questionnaire": (_("Questionnaire"), "version__questionnaire__name", None),
}
# The snapshot's column for each group; team and questionnaire are stored by id and shown by name.
CELL_GROUPS = {"segment": "segment", "channel": "channel", "team": "team_id", "case_type": "case_type",
               "standard": "standard", "questionnaire": "questionnaire_id"}
DIMENSIONS = [d for d in Dimension.values]
RATING_TYPES = (QuestionType.RATING_5, QuestionType.RATING_10)
DRIVER_SAMPLE = 200_000  # responses the regression reads at most (see `driver_frame`)


def min_sample() -> int:
    return int(getattr(settings, "SURVEY_MIN_SAMPLE", 30))


def period_key(month: dt.date, period: str) -> str:
    if period == "month":
        return f"{month.year}-{month.month:02d}"
    if period == "quarter":
        return f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    if period == "half":
        return f"{month.year}-H{1 if month.month <= 6 else 2}"
    return str(month.year)


def _local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


@dataclass
class Cell:
    key: str
    label: str
    figures: dict[str, Figure]
    changes: dict[str, Change] = field(default_factory=dict)


def _answers(user, *, since: dt.datetime | None, until: dt.datetime | None):
    permissions.require(user, "analysis", "read")
    rows = Answer.objects.filter(score_pct__isnull=False).exclude(dimension="")
    condition = permissions.analysis_condition(user)
    if condition:
        rows = rows.filter(response__survey__in=Survey.objects.filter(condition).values("pk"))
    if since:
        rows = rows.filter(answered_at__gte=since)
    if until:
        rows = rows.filter(answered_at__lt=until)
    return rows


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_start(month: dt.date) -> dt.datetime:
    return dt.datetime.combine(month, dt.time.min, tzinfo=timezone.get_current_timezone())


def _split(since: dt.datetime | None, until: dt.datetime | None):
    """The window as whole local months read from the snapshot, [first, stop), and the partial months at
    its edges as (since, until) ranges read from the raw rows. A month that ends after `until` still
    counts as whole when `until` is in the future (nothing is answered or sent after now)."""
    now = timezone.now()
    first = None
    edges = []
    if since is not None:
        first = local_month(since)
        if _month_start(first) < since:
            edges.append((since, min(_month_start(_add_months(first, 1)), until) if until else
                          _month_start(_add_months(first, 1))))
            first = _add_months(first, 1)
    stop = None
    if until is not None and until < now:
        stop = local_month(until)
        if _month_start(stop) < until and (first is None or stop >= first):
            edges.append((max(_month_start(stop), since) if since else _month_start(stop), until))
    elif until is not None:
        stop = _add_months(local_month(until), 1)
    if first is not None and stop is not None and stop < first:
        stop = first
    return first, stop, edges


def _snapshot_ok(user) -> bool:
    """The snapshot holds every answer: it serves the users who may read all of them (analysts, service
    managers); figures scoped to a user's own or team's customers or cases are counted from the answers."""
    return not permissions.analysis_condition(user) and getattr(settings, "SURVEY_ANALYSIS_SNAPSHOT", True)


def _cell_counts(*, by: str | None, first: dt.date | None, stop: dt.date | None, out: dict) -> None:
    rows = AnswerCell.objects.all()
    if first is not None:
        rows = rows.filter(month__gte=first)
    if stop is not None:
        rows = rows.filter(month__lt=stop)
    keys = ["month", "dimension", "qtype"]
    if by:
        keys.append(CELL_GROUPS[by])
    rows = rows.values(*keys).annotate(
        n_=Sum("n"), total_=Sum("total"), total_sq_=Sum("total_sq"), hits_=Sum("hits"), promoters_=Sum("promoters"),
        detractors_=Sum("detractors")).order_by()
    names = {}
    if by == "team":
        from guanxi.accounts.models import Team

        names = dict(Team.objects.values_list("id", "name"))
    elif by == "questionnaire":
        from .models import Questionnaire

        names = dict(Questionnaire.objects.values_list("id", "name"))
    for row in rows:
        group = row.get(CELL_GROUPS[by]) if by else None
        if names and group is not None:
            group = names.get(group)
        _add_row(out, row["month"], group, row["qtype"], row["dimension"], row["n_"], row["total_"], row["total_sq_"],
                 row["hits_"], row["promoters_"], row["detractors_"])


def _add_row(out, month, group, qtype, dimension, n, total, total_sq, hits, promoters, detractors) -> None:
    cell = out.setdefault((_local_month(month), group), Counts())
    if qtype == QuestionType.NPS:
        cell.nps_n += n
        cell.promoters += promoters
        cell.detractors += detractors
        return
    if qtype not in RATING_TYPES:
        return
    cell.add_dimension(dimension, n, total or 0.0, total_sq or 0.0)
    if dimension == Dimension.OVERALL:
        cell.csat_n += n
        cell.csat_hits += hits


def _counts(user, *, by: str | None, since, until) -> dict[tuple[dt.date, object], Counts]:
    """{(month, group value): Counts}: the whole months from the snapshot, partial ones from the answers."""
    if not _snapshot_ok(user):
        return _raw_counts(user, by=by, since=since, until=until)
    permissions.require(user, "analysis", "read")
    first, stop, edges = _split(since, until)
    out: dict[tuple[dt.date, object], Counts] = {}
    if first is None or stop is None or first < stop:
        _cell_counts(by=by, first=first, stop=stop, out=out)
    for low, high in edges:
        for key, counts in _raw_counts(user, by=by, since=low, until=high).items():
            out.setdefault(key, Counts()).merge(counts)
    return out


def _raw_counts(user, *, by: str | None, since, until) -> dict[tuple[dt.date, object], Counts]:
    """{(month, group value): Counts} from one grouped query over the answers."""
    rows = _answers(user, since=since, until=until).annotate(month=TruncMonth("answered_at"), qtype=F("question__type"))
    keys = ["month", "dimension", "qtype"]
    if by:
        rows = rows.annotate(group=F(f"response__survey__{GROUPS[by][1]}"))
        keys.append("group")
    rows = (
        rows.values(*keys)
        .annotate(
            n=Count("id"),
            total=Sum("score_pct"),
            total_sq=Sum(F("score_pct") * F("score_pct")),
            hits=Count("id", filter=Q(score_pct__gte=SATISFIED_PCT)),
            promoters=Count("id", filter=Q(score__gte=9)),
            detractors=Count("id", filter=Q(score__lte=6)),
        )
        .order_by()
    )
    out: dict[tuple[dt.date, object], Counts] = {}
    for row in rows:
        _add_row(out, row["month"], row.get("group"), row["qtype"], row["dimension"], row["n"], row["total"],
                 row["total_sq"], row["hits"], row["promoters"], row["detractors"])
    return out


def trend(
    *,
    user,
    period: str = "month",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    min_n: int | None = None,
) -> list[Cell]:
    """CSAT, NPS and each dimension's mean (0–100) per period, oldest first, each with the change
    from the period before."""
    period = period if period in PERIODS else "month"
    min_n = min_sample() if min_n is None else min_n
    buckets: dict[str, Counts] = {}
    for (month, _group), counts in sorted(
        _counts(user, by=None, since=since, until=until).items(), key=lambda item: item[0][0]
    ):
        buckets.setdefault(period_key(month, period), Counts()).merge(counts)
    cells, previous = [], None
    for key in sorted(buckets):
        figures = buckets[key].figures(DIMENSIONS, min_n=min_n)
        cell = Cell(key, key, figures)
        if previous is not None:
            cell.changes = {m: change(f, previous.figures.get(m)) for m, f in figures.items()}
        cells.append(cell)
        previous = cell
    return cells


def breakdown(
    *, user, by: str, since: dt.datetime | None = None, until: dt.datetime | None = None, min_n: int | None = None
) -> list[Cell]:
    """CSAT, NPS and dimension means per value of the group (segment, channel, team, case type,
    service standard) over the period; answers outside any group under "—"."""
    if by not in GROUPS:
        by = "segment"
    min_n = min_sample() if min_n is None else min_n
    _label, _path, choices = GROUPS[by]
    merged: dict[object, Counts] = {}
    for (_month, group), counts in _counts(user, by=by, since=since, until=until).items():
        merged.setdefault(group, Counts()).merge(counts)
    names = dict(choices.choices) if choices is not None else {}
    cells = [
        Cell(
            str(group or ""),
            str(names.get(group, group)) if group not in (None, "") else "—",
            counts.figures(DIMENSIONS, min_n=min_n),
        )
        for group, counts in merged.items()
    ]
    cells.sort(key=lambda c: (-(c.figures["csat"].n), c.label))
    return cells


def response_rates(
    *,
    user,
    period: str = "month",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    min_n: int | None = None,
) -> list[Cell]:
    """Answered surveys out of those sent, per period of sending (surveys still open count as sent)."""
    permissions.require(user, "analysis", "read")
    period = period if period in PERIODS else "month"
    min_n = min_sample() if min_n is None else min_n
    buckets: dict[str, list[int]] = {}
    for month, sent, answered in _rate_counts(user, since=since, until=until):
        cell = buckets.setdefault(period_key(_local_month(month), period), [0, 0])
        cell[0] += sent
        cell[1] += answered
    cells, previous = [], None
    for key in sorted(buckets):
        figure = proportion("response_rate", buckets[key][0], buckets[key][1], min_n=min_n)
        cell = Cell(key, key, {"response_rate": figure})
        if previous is not None:
            cell.changes = {"response_rate": change(figure, previous.figures["response_rate"])}
        cells.append(cell)
        previous = cell
    return cells


def _raw_rates(user, *, since, until):
    rows = Survey.objects.filter(permissions.analysis_condition(user))
    if since:
        rows = rows.filter(sent_at__gte=since)
    if until:
        rows = rows.filter(sent_at__lt=until)
    rows = (
        rows.annotate(month=TruncMonth("sent_at"))
        .values("month")
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(status=SurveyStatus.ANSWERED)))
        .order_by()
    )
    return [(row["month"], row["sent"], row["answered"]) for row in rows]


def _rate_counts(user, *, since, until) -> list[tuple]:
    """(month, sent, answered) rows: whole months from the snapshot, partial ones from the surveys."""
    if not _snapshot_ok(user):
        return _raw_rates(user, since=since, until=until)
    first, stop, edges = _split(since, until)
    out = []
    if first is None or stop is None or first < stop:
        rows = RateCell.objects.all()
        if first is not None:
            rows = rows.filter(month__gte=first)
        if stop is not None:
            rows = rows.filter(month__lt=stop)
        out += [(r["month"], r["sent_"], r["answered_"]) for r in
                rows.values("month").annotate(sent_=Sum("sent"), answered_=Sum("answered")).order_by()]
    for low, high in edges:
        out += _raw_rates(user, since=low, until=high)
    return out


def segment_report(
    *, user, since: dt.datetime | None = None, until: dt.datetime | None = None, min_n: int | None = None
) -> list[dict]:
    """SPEC G.5 per value segment: satisfaction (CSAT, overall mean), loyalty (NPS and the loyalty
    index of the segments module), retention (its retention index) and contribution (share of revenue)
    of the surveyed customers, from the latest customer-value snapshot."""
    cells = {c.key: c for c in breakdown(user=user, by="segment", since=since, until=until, min_n=min_n)}
    surveyed = Survey.objects.filter(permissions.analysis_condition(user), status=SurveyStatus.ANSWERED)
    if since:
        surveyed = surveyed.filter(answered_at__gte=since)
    if until:
        surveyed = surveyed.filter(answered_at__lt=until)
    from guanxi.segments.models import CustomerValueSnapshot

    values = {
        row["value_level"]: row
        for row in CustomerValueSnapshot.objects.filter(customer_id__in=surveyed.values("customer_id"))
        .values("value_level")
        .annotate(
            customers=Count("customer_id"),
            loyalty=Avg("loyalty_index"),
            retention=Avg("retention_index"),
            contribution=Sum("contribution_share"),
        )
        .order_by()
    }
    out = []
    for level, label in [*ValueLevel.choices, ("", "—")]:
        cell, value = cells.get(level), values.get(level)
        if cell is None and value is None:
            continue
        out.append(
            {
                "key": level,
                "label": str(label),
                "figures": cell.figures if cell else None,
                "customers": value["customers"] if value else 0,
                "loyalty": round(value["loyalty"], 1) if value and value["loyalty"] is not None else None,
                "retention": round(value["retention"], 1) if value and value["retention"] is not None else None,
                "contribution": round(100 * value["contribution"], 2)
                if value and value["contribution"] is not None
                else None,
            }
        )
    return out


def driver_frame(
    *, user, since: dt.datetime | None = None, until: dt.datetime | None = None, sample: int = DRIVER_SAMPLE
) -> tuple[pd.DataFrame, int]:
    """One row per answered survey: the dimension ratings (on 1–5: score_pct/25 + 1), `overall` and the
    case's operational measures (waiting minutes to the first response, hours to resolve, contacts =
    1 + reopenings, steps = hand-overs between owners). Above `sample` responses a systematic sample
    by response id is read (ids carry no information on the answers, so it is a random sample for the
    regression; its intervals widen as 1/√n and stay far narrower than any effect worth showing).
    Returns the frame and the number of responses it was drawn from."""
    import numpy as np
    import pandas as pd

    from .analysis.drivers import OPERATIONAL

    answers = _answers(user, since=since, until=until).filter(question__type__in=RATING_TYPES)
    population = answers.filter(dimension=Dimension.OVERALL).count()
    if population > sample:
        step = -(-population // sample)
        answers = answers.annotate(bucket=F("response_id") % step).filter(bucket=0)
    pivot = {d: Max("score_pct", filter=Q(dimension=d)) for d in DIMENSIONS}
    rows = (
        answers.values("response_id")
        .annotate(
            **pivot,
            created=F("response__survey__ticket__created_at"),
            responded=F("response__survey__ticket__first_responded_at"),
            resolved=F("response__survey__ticket__resolved_at"),
            reopens=F("response__survey__ticket__reopen_count"),
            steps=Count("response__survey__ticket__assignments", distinct=True),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=[*DIMENSIONS, *OPERATIONAL]), population
    for d in DIMENSIONS:
        frame[d] = pd.to_numeric(frame[d], errors="coerce") / 25.0 + 1.0
    created = pd.to_datetime(frame["created"], utc=True)
    frame["waiting_time"] = (pd.to_datetime(frame["responded"], utc=True) - created).dt.total_seconds() / 60
    frame["time_to_resolve"] = (pd.to_datetime(frame["resolved"], utc=True) - created).dt.total_seconds() / 3600
    frame["contacts_per_case"] = 1 + pd.to_numeric(frame["reopens"], errors="coerce")
    frame["procedure_steps"] = frame["steps"].astype(float).where(frame["steps"] > 0, np.nan)
    frame["ease_of_paying"] = np.nan
    return frame[[*DIMENSIONS, *OPERATIONAL]], population


def response_scores(survey_ids) -> dict[int, dict]:
    """The overall rating (as answered, with its scale's top) and the NPS answer of each survey, for
    the score column of the response list; one query for a page."""
    out: dict[int, dict] = {}
    rows = (
        Answer.objects.filter(
            response__survey_id__in=list(survey_ids), dimension=Dimension.OVERALL, score__isnull=False
        )
        .values_list("response__survey_id", "question__type", "score")
        .order_by("question__order")
    )
    for survey_id, qtype, score in rows:
        cell = out.setdefault(survey_id, {})
        if qtype == QuestionType.NPS:
            cell.setdefault("nps", int(score))
        elif qtype in RATING_TYPES:
            cell.setdefault("overall", int(score))
            cell.setdefault("scale", 5 if qtype == QuestionType.RATING_5 else 10)
    return out
