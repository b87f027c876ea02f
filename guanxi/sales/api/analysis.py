"""`/api/v1/sales/analysis/{report}`: the sales analysis of SPEC C.4 over a year, a quarter or a
month, within the caller's reach (see `selectors.analysis`)."""

from django.http import HttpRequest
from ninja import Query

from guanxi.core.routers import Router

from ..schemas.analysis import SalesAnalysisIn, SalesAnalysisOut
from ..selectors import analysis as selectors

router = Router(tags=["sales analysis"], operation_prefix="guanxi_sales_api_analysis")


def row_out(row) -> dict:
    return {"key": row.key, "label": row.label, "closed": row.closed, "won": row.won, "lost": row.lost,
            "won_amount": row.won_amount, "win_rate": row.win_rate, "average_deal": row.average_deal,
            "cycle_days": row.cycle_days, "cost": row.cost, "cost_per_won": row.cost_per_won,
            "strengths": row.strengths, "weaknesses": row.weaknesses}


@router.get("/sales/analysis/{report}", response=SalesAnalysisOut)
def sales_analysis(request: HttpRequest, report: str, params: Query[SalesAnalysisIn]):
    """One report — product, region, outlet, representative, customer_group, channel, partner, team,
    funnel, reasons, efficiency or behaviour — over the year, quarter or month holding `start`."""
    data = selectors.analysis_report(user=request.user, report=report, period=params.period, day=params.start,
                                       team_id=params.team)
    return {**data, "rows": [row_out(r) for r in data["rows"]],
            "total": row_out(data["total"]) if data["total"] else None,
            "funnel": [vars(s) for s in data["funnel"]],
            "reasons": [{"status": r.status, "reason_id": r.reason_id, "name": r.name, "count": r.count,
                         "amount": r.amount} for r in data["reasons"]],
            "behaviour": [{"user_id": b.user_id, "name": b.name, "created": b.created, "touched": b.touched,
                           "tasks_done": b.tasks_done, "won": b.won, "won_amount": b.won_amount, "quota": b.quota,
                           "attainment": b.attainment} for b in data["behaviour"]]}
