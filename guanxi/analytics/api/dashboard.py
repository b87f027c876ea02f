"""`/api/v1/analytics/dashboard`: every figure of the executive dashboard for a period (a month, a
quarter or a year, named by its first day), with the period before it and the chart's periods.
A start that is not its period's first day, before 2000 or in the future, and an unknown figure,
answer 422 (the API's validation error); a card the caller may not see answers 403."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query

from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..dashboard.read import dashboard_cards, dashboard_period

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_api")


class PeriodIn(Schema):
    period: str = Field("month", description="month, quarter or year")
    start: dt.date | None = Field(None, description="the period's first day; default: the last whole period")


class DashboardPeriodOut(Schema):
    kind: str
    start: dt.date
    end: dt.date = Field(description="the first day after the period")
    label: str


class DashboardFigureOut(Schema):
    key: str = Field(description="customers, churn, arpu, revenue, pipeline, cases, attainment or satisfaction")
    unit: str = Field(description="count, money (yuan), or percent (NPS: points)")
    value: float | None = Field(description="the period's headline figure (the first series' last value)")
    previous: float | None = Field(description="the same figure in the period before")
    change_pct: float | None = Field(description="per cent change from the period before; null without one")
    periods: list[DashboardPeriodOut] = Field(description="the chart's periods, oldest first, the chosen one last")
    series: dict[str, list[float | None]] = Field(description="one value per period for each named series")
    breakdown: list[dict] = Field(description="customers only: live customers today by stage and segment")


class DashboardOut(Schema):
    period: DashboardPeriodOut
    figures: list[DashboardFigureOut]


def _period_out(period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label}


def _figure_out(card) -> dict:
    return {"key": card.key, "unit": card.unit, "value": card.value, "previous": card.previous,
            "change_pct": card.change, "periods": [_period_out(p) for p in card.periods], "series": card.series,
            "breakdown": card.breakdown}


@router.get("/analytics/dashboard", response=DashboardOut)
def get_dashboard(request: HttpRequest, query: Query[PeriodIn]):
    """Every dashboard figure the caller may see, for the period."""
    period = dashboard_period(kind=query.period, start=query.start)
    return {"period": _period_out(period),
            "figures": [_figure_out(c) for c in dashboard_cards(user=request.user, period=period)]}


@router.get("/analytics/dashboard/{figure}", response=DashboardFigureOut)
def get_dashboard_figure(request: HttpRequest, figure: str, query: Query[PeriodIn]):
    """One dashboard figure (422 for an unknown one, 403 when not the caller's to see)."""
    period = dashboard_period(kind=query.period, start=query.start)
    return _figure_out(dashboard_cards(user=request.user, period=period, only=figure)[0])
