"""`/api/v1/survey-analysis/...`: the satisfaction figures of the analysis pages, in the caller's
scope — per period (`trend`), per group (`breakdown`, paged), response rates, per value segment, and
driver-analysis runs (started, then polled until `status` is `done`), and the period report as PDF.
Every figure carries n, the margin of error at 95 %, and `reason` with no value when its sample is
too small."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from guanxi.core.errors import ValidationFailed
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from . import analysis_selectors as selectors
from . import driver_runs, permissions
from .tasks import run_drivers

router = Router(tags=["survey analysis"], operation_prefix="guanxi_survey_analysis_api")


class WindowIn(Schema):
    since: dt.date | None = Field(None, description="first day (default: 12 months ago)")
    until: dt.date | None = Field(None, description="last day, included (default: today)")
    period: str = Field("month", description="month, quarter, half or year")
    by: str = Field("segment", description="segment, channel, team, case_type or standard")


class PageIn(Schema):
    cursor: str = Field("", max_length=12, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class FigureOut(Schema):
    measure: str
    n: int
    value: float | None
    moe: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    min_n: int
    reason: str | None


class ChangeOut(Schema):
    delta: float | None
    significant: bool


class CellOut(Schema):
    key: str
    label: str
    figures: dict[str, FigureOut]
    changes: dict[str, ChangeOut]


class CellPageOut(Schema):
    items: list[CellOut]
    next_cursor: str | None


class SatisfactionSegmentOut(Schema):
    key: str
    label: str
    figures: dict[str, FigureOut] | None
    customers: int
    loyalty: float | None
    retention: float | None
    contribution: float | None


class DriverRunIn(Schema):
    since: dt.date | None = None
    until: dt.date | None = None


class DriverRunOut(Schema):
    id: str
    status: str
    rows: int | None = None
    population: int | None = None
    seconds: float | None = None
    result: dict | None = None


def _window(params) -> tuple[dt.datetime, dt.datetime]:
    if params.period not in selectors.PERIODS:
        raise ValidationFailed(fields={"period": _("one of: %(values)s") % {"values": ", ".join(selectors.PERIODS)}})
    if params.by not in selectors.GROUPS:
        raise ValidationFailed(fields={"by": _("one of: %(values)s") % {"values": ", ".join(selectors.GROUPS)}})
    return _dates(params.since, params.until)


def _dates(since, until) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    until = until or today
    since = since or (until.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    if since > until:
        raise ValidationFailed(fields={"since": _("must not be after the last day")})
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(since, dt.time.min, tzinfo=tz),
        dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _cell(cell) -> dict:
    return {
        "key": cell.key,
        "label": cell.label,
        "figures": {m: f.as_dict() for m, f in cell.figures.items()},
        "changes": {m: {"delta": c.delta, "significant": c.significant} for m, c in cell.changes.items()},
    }


def _page(cells, page) -> dict:
    start = int(page.cursor) if page.cursor.isdigit() else 0
    end = start + page.limit
    return {"items": [_cell(c) for c in cells[start:end]], "next_cursor": str(end) if end < len(cells) else None}


@router.get("/survey-analysis/report.pdf", response={200: None})
def download_analysis_report(request: HttpRequest, params: Query[WindowIn]):
    """The period report as PDF (Chinese fonts): the figures by period, dimension and group with
    their margins of error and sample sizes, as on the analysis page and in its XLSX."""
    permissions.require(request.user, "analysis", "export")
    since, until = _window(params)
    from .analysis_report import report_pdf  # reportlab loads with the first report
    content = report_pdf(user=request.user, period=params.period, by=params.by, since=since, until=until)
    response = HttpResponse(content, content_type="application/pdf")
    first, last = timezone.localdate(since), timezone.localdate(until) - dt.timedelta(days=1)
    response["Content-Disposition"] = f'attachment; filename="satisfaction-{first}-{last}.pdf"'
    return response


@router.get("/survey-analysis/trend", response=CellPageOut)
def analysis_trend(request: HttpRequest, params: Query[WindowIn], page: Query[PageIn]):
    """CSAT (%), NPS (points) and every dimension's mean (0–100) per period, oldest first, with the
    change from the period before (`significant`: larger than the combined margin of error)."""
    since, until = _window(params)
    return _page(selectors.trend(user=request.user, period=params.period, since=since, until=until), page)


@router.get("/survey-analysis/breakdown", response=CellPageOut)
def analysis_breakdown(request: HttpRequest, params: Query[WindowIn], page: Query[PageIn]):
    """The same figures per value of `by` over the window, largest sample first."""
    since, until = _window(params)
    return _page(selectors.breakdown(user=request.user, by=params.by, since=since, until=until), page)


@router.get("/survey-analysis/response-rates", response=CellPageOut)
def analysis_response_rates(request: HttpRequest, params: Query[WindowIn], page: Query[PageIn]):
    """Answered out of sent surveys (%) per period of sending."""
    since, until = _window(params)
    return _page(selectors.response_rates(user=request.user, period=params.period, since=since, until=until), page)


@router.get("/survey-analysis/segments", response=list[SatisfactionSegmentOut])
def analysis_segments(request: HttpRequest, params: Query[WindowIn]):
    """Satisfaction, loyalty, retention and contribution per value segment (SPEC G.5)."""
    since, until = _window(params)
    rows = selectors.segment_report(user=request.user, since=since, until=until)
    return [
        {**row, "figures": {m: f.as_dict() for m, f in row["figures"].items()} if row["figures"] else None}
        for row in rows
    ]


def _run(run) -> dict:
    return {
        "id": run["id"],
        "status": run["status"],
        "rows": run.get("rows"),
        "population": run.get("population"),
        "seconds": run.get("seconds"),
        "result": run.get("result"),
    }


@router.post("/survey-analysis/driver-runs", response={202: DriverRunOut})
def analysis_driver_run_start(request: HttpRequest, payload: DriverRunIn):
    """Start a driver analysis over the window; poll `GET .../driver-runs/{id}` until it is done."""
    since, until = _dates(payload.since, payload.until)
    run_id = driver_runs.run_start(user=request.user, since=since, until=until)
    run_drivers.delay(run_id)
    return Status(202, _run(driver_runs.run_get(user=request.user, run_id=run_id)))


@router.get("/survey-analysis/driver-runs/{run_id}", response=DriverRunOut)
def analysis_driver_run_get(request: HttpRequest, run_id: str):
    """A driver analysis you started: `running`, `done` (with the drivers, largest share first) or `failed`."""
    return _run(driver_runs.run_get(user=request.user, run_id=run_id))
