"""Attainment of service standards (服务指标达成率): per standard, customer tier, team and period."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Q
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek

from ..enums import ClockState
from ..models import TicketClock

GROUPS = {"standard": "standard__name", "metric": "metric", "tier": "ticket__customer_tier",
          "team": "ticket__team__name", "type": "ticket__type"}
PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class AttainmentRow:
    period: dt.datetime | None
    group: dict[str, str | None]
    total: int
    met: int

    @property
    def breached(self) -> int:
        return self.total - self.met

    @property
    def rate(self) -> float:
        return round(self.met / self.total, 4) if self.total else 0.0


def standard_attainment(*, since: dt.datetime, until: dt.datetime, group_by: tuple[str, ...] = ("standard",),
                        period: str | None = "month") -> list[AttainmentRow]:
    """Clocks whose outcome fell in [since, until): met when stopped by their due time, breached
    when stopped late or already past due while still running. One GROUP BY query."""
    outcome_at = Coalesce("stopped_at", "breached_at", output_field=DateTimeField())
    clocks = (
        TicketClock.objects.annotate(outcome_at=outcome_at)
        .filter(outcome_at__gte=since, outcome_at__lt=until)
        .filter(Q(stopped_at__isnull=False) | Q(breached_at__isnull=False))
    )
    fields = [GROUPS[name] for name in group_by]
    if period:
        clocks = clocks.annotate(period=PERIODS[period]("outcome_at"))
        fields.append("period")
    rows = (clocks.values(*fields).annotate(total=Count("id"), met=Count("id", filter=Q(state=ClockState.MET)))
            .order_by(*fields))
    return [
        AttainmentRow(period=row.get("period"), group={name: row[GROUPS[name]] for name in group_by},
                      total=row["total"], met=row["met"])
        for row in rows
    ]
