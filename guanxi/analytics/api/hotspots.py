"""`/api/v1/analytics/hotspots...`: the newest hotspot analysis (or one named by `run`) — its
keywords, topics and spikes by day, week or month with counts and density, each list paged to its
end — the cases behind a topic or keyword (those the caller may read, masked as the service desk
masks them), and running an analysis now (analysts, service managers)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..hotspot import selectors

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_hotspot_api")


class RunIn(Schema):
    run: int | None = Field(None, ge=1, description="an analysis id (default: the newest); pin it to walk a list")
    unit: str = Field("week", description="day, week or month")


class HotspotRunOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    documents: int = Field(description="consultations, queries and complaints analysed")
    distinct_texts: int
    finished_at: dt.datetime | None
    source: str = Field(description="what was analysed: cases, interactions or both")
    unit: str
    buckets: list[dt.date] = Field(description="first day of each day/week/month")
    totals: list[int] = Field(description="cases per bucket")


class SeriesOut(Schema):
    counts: list[int] = Field(description="cases per bucket")
    density: list[float] = Field(description="per cent of the bucket's cases")


class KeywordOut(SeriesOut):
    term: str
    count: int


class ShareOut(Schema):
    name: str
    count: int
    share: float


class TopicOut(SeriesOut):
    id: int
    label: str
    terms: list[str]
    count: int
    concentration: dict[str, list[ShareOut]] = Field(
        description="top businesses (category), case types, customer tiers and departments (team)")


class SpikeOut(Schema):
    kind: str = Field(description="keyword or topic")
    key: str = Field(description="the keyword, or the topic's id")
    label: str
    week: dt.date = Field(description="the week's Monday")
    week_end: dt.date
    count: int
    expected: float = Field(description="the count the trailing weeks' median share predicts")
    z: float = Field(description="robust z-score")
    share: float


class KeywordPageOut(Schema):
    run: int
    items: list[KeywordOut]
    next_cursor: str | None


class TopicPageOut(Schema):
    run: int
    items: list[TopicOut]
    next_cursor: str | None


class SpikePageOut(Schema):
    run: int
    items: list[SpikeOut]
    next_cursor: str | None


class CaseOut(Schema):
    id: int
    number: str
    subject: str
    description: str = Field(description="first 200 characters; numbers masked unless you see personal data")
    type: str
    status: str
    created_at: dt.datetime


class CasePageOut(Schema):
    run: int
    items: list[CaseOut]
    next_cursor: str | None


class CaseFilter(Schema):
    run: int | None = Field(None, ge=1)
    topic: int | None = Field(None, ge=0, le=1000)
    keyword: str = Field("", max_length=50)
    start: dt.date | None = None
    end: dt.date | None = None


class RunCreateIn(Schema):
    start: dt.date | None = Field(None, description="default: 26 weeks before `end`")
    end: dt.date | None = Field(None, description="default: today")
    source: str = Field("cases", description="cases, interactions (customers' contact notes) or both",
                        max_length=20)


class HotspotInteractionOut(Schema):
    id: int
    customer_id: int
    customer_name: str = Field(description="masked unless you see the customer's personal data")
    customer_url: str = Field(description="the customer's 360 page")
    channel: str
    subject: str
    content: str = Field(description="first 200 characters; masked unless you see personal data")
    occurred_at: dt.datetime


class InteractionPageOut(Schema):
    run: int
    items: list[HotspotInteractionOut]
    next_cursor: str | None


def _list_page(items: list, cursor: str, limit: int) -> tuple[list, str | None]:
    """A page of a list held in the snapshot; the cursor is the position after the previous page."""
    if cursor and not (cursor.isdigit() and int(cursor) <= len(items)):
        raise ValidationFailed(_("Invalid cursor."), code="bad_cursor")
    start = int(cursor or 0)
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else None)


def _series(request, params: RunIn):
    run = selectors.hotspot_run_get(user=request.user, run_id=params.run)
    return run, selectors.hotspot_series(run=run, unit=params.unit)


def _run_out(run, series) -> dict:
    return {"id": run.pk, "period_start": run.period_start, "period_end": run.period_end,
            "documents": run.documents, "distinct_texts": run.result.get("distinct_texts", 0),
            "finished_at": run.finished_at, "source": (run.params or {}).get("source", "cases"),
            "unit": series["unit"], "buckets": series["buckets"],
            "totals": series["totals"]}


@router.get("/hotspots", response=HotspotRunOut)
def get_hotspots(request: HttpRequest, params: Query[RunIn]):
    """The analysis: its period, cases, and the buckets of the chosen time unit with their case counts."""
    return _run_out(*_series(request, params))


@router.get("/hotspots/keywords", response=KeywordPageOut)
def list_hotspot_keywords(request: HttpRequest, params: Query[RunIn], page: Query[CursorPageParams]):
    """The most frequent keywords (cases mentioning each), most frequent first, with their series."""
    run, series = _series(request, params)
    items, cursor = _list_page(series["keywords"], page.cursor, page.limit)
    return {"run": run.pk, "items": items, "next_cursor": cursor}


@router.get("/hotspots/topics", response=TopicPageOut)
def list_hotspot_topics(request: HttpRequest, params: Query[RunIn], page: Query[CursorPageParams]):
    """The topics, largest first: their terms, series and what they concentrate on."""
    run, series = _series(request, params)
    items, cursor = _list_page(series["topics"], page.cursor, page.limit)
    return {"run": run.pk, "items": items, "next_cursor": cursor}


@router.get("/hotspots/spikes", response=SpikePageOut)
def list_hotspot_spikes(request: HttpRequest, page: Query[CursorPageParams], run: int | None = None,
                        kind: str = ""):
    """Weeks in which a keyword or topic rose far above its usual share of the cases, strongest first."""
    if kind not in ("", "keyword", "topic"):
        raise ValidationFailed(_("The kind must be keyword or topic."), code="bad_kind")
    found = selectors.hotspot_run_get(user=request.user, run_id=run)
    spikes = [{**s, "key": str(s["key"])} for s in selectors.hotspot_spikes(run=found, kind=kind)]
    items, cursor = _list_page(spikes, page.cursor, page.limit)
    return {"run": found.pk, "items": items, "next_cursor": cursor}


@router.get("/hotspots/cases", response=CasePageOut)
def list_hotspot_cases(request: HttpRequest, filters: Query[CaseFilter], page: Query[CursorPageParams]):
    """The cases behind a topic or a keyword, newest first: only those you may read."""
    run = selectors.hotspot_run_get(user=request.user, run_id=filters.run)
    qs = selectors.hotspot_case_list(user=request.user, run=run, topic=filters.topic, keyword=filters.keyword.strip(),
                                     start=filters.start, end=filters.end)
    result = keyset_page(qs, cursor=page.cursor, limit=page.limit)
    return {"run": run.pk, "items": selectors.hotspot_case_rows(user=request.user, tickets=result.rows),
            "next_cursor": result.next_cursor}


@router.post("/hotspots/runs", response={201: HotspotRunOut})
def run_hotspot_analysis(request: HttpRequest, payload: RunCreateIn):
    """Analyse the period's cases now; 422 for an impossible period."""
    from ..hotspot.services import hotspot_run_create  # jieba and scikit-learn load when an analysis runs

    run = hotspot_run_create(actor=request.user, start=payload.start, end=payload.end, source=payload.source)
    return Status(201, _run_out(run, selectors.hotspot_series(run=run, unit="week")))


@router.get("/hotspots/interactions", response=InteractionPageOut)
def list_hotspot_interactions(request: HttpRequest, filters: Query[CaseFilter], page: Query[CursorPageParams]):
    """The customer interactions behind a topic or a keyword, newest first: only those of customers
    you may read (a run over cases alone has none)."""
    run = selectors.hotspot_run_get(user=request.user, run_id=filters.run)
    qs = selectors.hotspot_interaction_list(user=request.user, run=run, topic=filters.topic,
                                            keyword=filters.keyword.strip(), start=filters.start, end=filters.end)
    result = keyset_page(qs, cursor=page.cursor, limit=page.limit)
    return {"run": run.pk, "items": selectors.hotspot_interaction_rows(user=request.user, interactions=result.rows),
            "next_cursor": result.next_cursor}
