"""The dashboard's figures from the star schema, one function per card. Every statement is plain
ANSI SQL over the warehouse's tables (joins with dim_date, CASE, SUM/COUNT, GROUP BY) so that it
runs on DuckDB and on Spark SQL alike; a period is bucketed by the date dimension's `*_start`
column, never by an engine's date functions.

A card is: the chosen period's headline figure, the previous period's, the change in per cent, and
a chart of the last few periods (`series`: one list of values per named line or bar stack)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .periods import START_COLUMN, Period

# Answers at or above this share of their scale count as satisfied (as the survey analysis counts them).
SATISFIED_PCT = 75.0
RATINGS = ("rating_5", "rating_10")
BILLED = ("confirmed", "delivered")  # orders that are revenue (drafts and cancellations are not)
# Which way a figure should move: up (1, the default), down (-1: customers lost) or neither (0: more
# cases may be more customers as well as more trouble).
BETTER_WHEN = {"churn": -1, "cases": 0}


@dataclass
class Card:
    key: str
    unit: str  # count, money, percent, points
    value: float | None
    previous: float | None
    periods: list[Period]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    breakdown: list[dict] = field(default_factory=list)  # rows of a card whose chart is not over time

    @property
    def trend(self) -> str | None:
        """How the change reads: "good", "bad" or "neutral" (a figure whose rise is neither), None
        when there is nothing to compare with."""
        if self.change is None:
            return None
        direction = BETTER_WHEN.get(self.key, 1)
        if direction == 0 or self.change == 0:
            return "neutral"
        return "good" if (self.change > 0) == (direction > 0) else "bad"

    @property
    def change(self) -> float | None:
        """Per cent change from the previous period (None when there is nothing to compare with)."""
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) / abs(self.previous) * 100, 1)


def _number(value) -> float | None:
    if value is None:
        return None
    return float(round(value, 2)) if isinstance(value, Decimal) else float(value)


def _by_period(reader, sql: str, params: list, period: Period, columns: int = 1) -> dict[dt.date, tuple]:
    """{period start: (values…)} from a statement whose first column is the period's start."""
    return {row[0]: row[1:1 + columns] for row in reader.execute(sql, params).fetchall()}


def _window_bounds(period: Period) -> tuple[list[Period], dt.date, dt.date]:
    window = period.window()
    return window, window[0].start, period.end


def _finish(key: str, unit: str, period: Period, window: list[Period], series: dict[str, list]) -> Card:
    """A card whose headline is its first series' value in the chosen period."""
    first = next(iter(series.values()))
    return Card(key=key, unit=unit, value=first[-1], previous=first[-2] if len(first) > 1 else None,
                periods=window, series=series)


def customers(reader, period: Period) -> Card:
    """Live customers at the end of the period (headline) and today by lifecycle stage × segment."""
    window, _first, _end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    created = _by_period(reader, f"SELECT d.{column}, COUNT(*) FROM dim_customer c JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                                  f"ON d.date = c.created_date WHERE c.is_live AND c.created_date < ? "
                                  f"GROUP BY d.{column}", [period.end], period)
    totals = []
    for each in window:
        totals.append(float(sum(n for start, (n,) in created.items() if start < each.end)))
    rows = reader.execute("SELECT lifecycle_stage, kind, COUNT(*) FROM dim_customer WHERE is_live "
                          "GROUP BY lifecycle_stage, kind").fetchall()
    card = _finish("customers", "count", period, window, {"customers": totals})
    card.breakdown = [{"stage": stage, "segment": kind, "value": float(n)} for stage, kind, n in rows]
    return card


def churn(reader, period: Period) -> Card:
    """Customers lost (marked churned) in each period."""
    window, first, end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    lost = _by_period(reader, f"SELECT d.{column}, COUNT(*) FROM dim_customer c JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                               f"ON d.date = c.churned_date WHERE c.is_live AND d.date >= ? AND d.date < ? "
                               f"GROUP BY d.{column}", [first, end], period)
    return _finish("churn", "count", period, window, {"churned": [float(lost.get(p.start, (0,))[0]) for p in window]})


def _revenue(reader, period: Period, *, since: dt.date | None) -> dict[dt.date, Decimal]:
    column = START_COLUMN[period.kind]
    where, params = ("AND f.order_date >= ?", [since]) if since else ("", [])
    rows = _by_period(reader, f"SELECT d.{column}, SUM(f.line_total) FROM fact_order_line f JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                               f"ON d.date = f.order_date WHERE f.order_status IN ('confirmed', 'delivered') "
                               f"AND f.order_date < ? {where} GROUP BY d.{column}", [period.end, *params], period)
    return {start: value or Decimal(0) for start, (value,) in rows.items()}


def _collected(reader, period: Period) -> dict[dt.date, Decimal]:
    column = START_COLUMN[period.kind]
    rows = _by_period(reader, f"SELECT d.{column}, SUM(f.amount - f.refunded) FROM fact_payment f JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                               f"ON d.date = f.received_on WHERE f.received_on < ? GROUP BY d.{column}",
                      [period.end], period)
    return {start: value or Decimal(0) for start, (value,) in rows.items()}


def arpu(reader, period: Period) -> Card:
    """Average revenue per live customer per month: the period's revenue ÷ live customers at its end
    ÷ its months."""
    window, first, _end = _window_bounds(period)
    revenue = _revenue(reader, period, since=first)
    base = customers(reader, period).series["customers"]
    values = [None if not n else float(round(revenue.get(p.start, Decimal(0)) / Decimal(n) / p.months, 2))
              for p, n in zip(window, base, strict=True)]
    return _finish("arpu", "money", period, window, {"arpu": values})


def revenue(reader, period: Period) -> Card:
    """Revenue (billed orders), collected (回款, net of refunds) and receivables (billed less
    collected, all time to the period's end)."""
    window, _first, _end = _window_bounds(period)
    billed, collected = _revenue(reader, period, since=None), _collected(reader, period)
    series: dict[str, list] = {"revenue": [], "collected": [], "receivables": []}
    for each in window:
        series["revenue"].append(_number(billed.get(each.start, Decimal(0))))
        series["collected"].append(_number(collected.get(each.start, Decimal(0))))
        owed = sum((v for s, v in billed.items() if s < each.end), Decimal(0)) - sum(
            (v for s, v in collected.items() if s < each.end), Decimal(0))
        series["receivables"].append(_number(owed))
    return _finish("revenue", "money", period, window, series)


def pipeline(reader, period: Period) -> Card:
    """Forecast (won + open weighted by probability), open pipeline and won, by expected close /
    close date."""
    window, first, end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    open_ = _by_period(reader, f"SELECT d.{column}, SUM(f.amount), SUM(f.amount * f.probability) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                                f"FROM fact_opportunity f JOIN dim_date d ON d.date = f.expected_close_date "
                                f"WHERE f.status = 'open' AND d.date >= ? AND d.date < ? GROUP BY d.{column}",
                       [first, end], period, columns=2)
    won = _by_period(reader, f"SELECT d.{column}, SUM(f.amount) FROM fact_opportunity f JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                              f"ON d.date = f.closed_date WHERE f.status = 'won' AND d.date >= ? AND d.date < ? "
                              f"GROUP BY d.{column}", [first, end], period)
    series: dict[str, list] = {"forecast": [], "pipeline": [], "won": []}
    for each in window:
        amount, weighted = open_.get(each.start, (Decimal(0), Decimal(0)))
        gained = won.get(each.start, (Decimal(0),))[0] or Decimal(0)
        series["forecast"].append(_number((weighted or Decimal(0)) / 100 + gained))
        series["pipeline"].append(_number(amount or Decimal(0)))
        series["won"].append(_number(gained))
    return _finish("pipeline", "money", period, window, series)


def cases(reader, period: Period) -> Card:
    """Cases opened in each period, stacked by case type."""
    window, first, end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    rows = reader.execute(f"SELECT d.{column}, f.case_type, COUNT(*) FROM fact_case f JOIN dim_date d "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                          f"ON d.date = f.created_date WHERE d.date >= ? AND d.date < ? "
                          f"GROUP BY d.{column}, f.case_type", [first, end]).fetchall()
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for start, kind, n in rows:
        counts[kind][start] = n
    total = [float(sum(counts[k].get(p.start, 0) for k in counts)) for p in window]
    series = {"cases": total} | {kind: [float(counts[kind].get(p.start, 0)) for p in window]
                                  for kind in sorted(counts)}
    return _finish("cases", "count", period, window, series)


def attainment(reader, period: Period) -> Card:
    """Service-standard attainment (服务标准达标率): the share of the period's cases never in breach."""
    window, first, end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    rows = _by_period(reader, f"SELECT d.{column}, COUNT(*), SUM(CASE WHEN f.breached_at IS NULL THEN 1 ELSE 0 END) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                               f"FROM fact_case f JOIN dim_date d ON d.date = f.created_date "
                               f"WHERE d.date >= ? AND d.date < ? GROUP BY d.{column}", [first, end], period, 2)
    values = []
    for each in window:
        n, kept = rows.get(each.start, (0, 0))
        values.append(round(100.0 * kept / n, 1) if n else None)
    return _finish("attainment", "percent", period, window, {"attainment": values})


def satisfaction(reader, period: Period) -> Card:
    """CSAT (share of overall ratings at or above 75 of 100, %) and NPS (promoters less detractors, points)."""
    window, first, end = _window_bounds(period)
    column = START_COLUMN[period.kind]
    rows = _by_period(reader, f"""
        SELECT d.{column},
               SUM(CASE WHEN f.question_type IN ('rating_5', 'rating_10') AND f.dimension = 'overall'
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.question_type IN ('rating_5', 'rating_10') AND f.dimension = 'overall'
                        AND f.score_pct >= {SATISFIED_PCT} THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.question_type = 'nps' THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.question_type = 'nps' AND f.score >= 9 THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.question_type = 'nps' AND f.score <= 6 THEN 1 ELSE 0 END)
        FROM fact_survey_answer f JOIN dim_date d ON d.date = f.answered_date
        WHERE f.score_pct IS NOT NULL AND f.dimension <> '' AND d.date >= ? AND d.date < ?
        GROUP BY d.{column}""", [first, end], period, 5)  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    csat, nps = [], []
    for each in window:
        rated, satisfied, answered, promoters, detractors = rows.get(each.start, (0, 0, 0, 0, 0))
        csat.append(round(100.0 * satisfied / rated, 1) if rated else None)
        nps.append(round(100.0 * (promoters - detractors) / answered, 1) if answered else None)
    return _finish("satisfaction", "percent", period, window, {"csat": csat, "nps": nps})


FIGURES = {"customers": customers, "churn": churn, "arpu": arpu, "revenue": revenue, "pipeline": pipeline,
           "cases": cases, "attainment": attainment, "satisfaction": satisfaction}


# The records behind a figure: (kind of record, SQL of their ids). `?` are the period's first day and
# the day after it; a key (a case type) narrows where the card has one.
RECORDS = {
    "customers": ("customer", None),
    "churn": ("customer", "SELECT customer_id FROM dim_customer WHERE is_live AND churned_date >= ? "
                          "AND churned_date < ? ORDER BY customer_id DESC"),
    "arpu": ("order", "SELECT DISTINCT order_id FROM fact_order_line WHERE order_status IN ('confirmed', "
                      "'delivered') AND order_date >= ? AND order_date < ? ORDER BY order_id DESC"),
    "revenue": ("order", "SELECT DISTINCT order_id FROM fact_order_line WHERE order_status IN ('confirmed', "
                         "'delivered') AND order_date >= ? AND order_date < ? ORDER BY order_id DESC"),
    "pipeline": ("opportunity", "SELECT opportunity_id FROM fact_opportunity WHERE (status = 'open' AND "
                                "expected_close_date >= ? AND expected_close_date < ?) OR (status = 'won' AND "
                                "closed_date >= ? AND closed_date < ?) ORDER BY opportunity_id DESC"),
    "cases": ("case", "SELECT case_id FROM fact_case WHERE created_date >= ? AND created_date < ? {key} "
                      "ORDER BY case_id DESC"),
    "attainment": ("case", "SELECT case_id FROM fact_case WHERE created_date >= ? AND created_date < ? "
                           "AND breached_at IS NOT NULL ORDER BY case_id DESC"),
    "satisfaction": ("survey", "SELECT DISTINCT survey_id FROM fact_survey_answer WHERE answered_date >= ? "
                               "AND answered_date < ? ORDER BY survey_id DESC"),
}


def record_ids(reader, figure: str, period: Period, *, key: str = "", limit: int) -> list[int]:
    """The ids of the records behind `figure` in `period` (newest first, at most `limit`)."""
    _kind, sql = RECORDS[figure]
    params: list = [period.start, period.end]
    if figure == "pipeline":
        params *= 2
    if "{key}" in sql:
        sql = sql.format(key="AND case_type = ?" if key else "")
        params += [key] if key else []
    return [row[0] for row in reader.execute(f"{sql} LIMIT {int(limit)}", params).fetchall()]
