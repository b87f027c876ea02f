import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from .opportunities import MAX_ID


class SalesAnalysisIn(Schema):
    period: str = Field("year", description="year, quarter or month")
    start: dt.date | None = Field(None, description="a day in the period (default: today)")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="one team (those who see the whole company)")


class SalesAnalysisRowOut(Schema):
    key: int | str | None = Field(description="the dimension's value (an id, or a code); null: not set")
    label: str
    closed: int = Field(description="deals won or lost in the period")
    won: int
    lost: int
    won_amount: Decimal
    win_rate: float | None = Field(description="won / closed")
    average_deal: Decimal | None = Field(description="won amount / won")
    cycle_days: float | None = Field(description="mean days from creation to winning")
    cost: Decimal | None = Field(description="sales expenses of the period (channel and team reports)")
    cost_per_won: Decimal | None = Field(description="cost / won")
    strengths: list[str] = Field(description="channel report: measures 10 % better than overall")
    weaknesses: list[str] = Field(description="channel report: measures 10 % worse than overall")


class SalesFunnelStepOut(Schema):
    stage_id: int
    name: str
    entered: int = Field(description="moves into the stage in the period")
    average_days: float | None = Field(description="mean days spent in the stage (moves out in the period)")
    conversion: float | None = Field(description="entered the next stage / entered this one")


class SalesReasonOut(Schema):
    status: str = Field(description="won or lost")
    reason_id: int | None
    name: str
    count: int
    amount: Decimal


class SalesBehaviourOut(Schema):
    user_id: int
    name: str
    created: int = Field(description="deals created in the period")
    touched: int = Field(description="stage moves made in the period (moving a deal on, winning, losing)")
    tasks_done: int = Field(description="tasks and activities completed in the period")
    won: int
    won_amount: Decimal
    quota: Decimal | None = Field(description="the monthly quotas of the period, summed")
    attainment: float | None = Field(description="won amount / quota")


class SalesAnalysisOut(Schema):
    report: str
    title: str
    start: dt.date
    end: dt.date = Field(description="the day after the period")
    rows: list[SalesAnalysisRowOut] = Field(description="dimension reports and efficiency")
    total: SalesAnalysisRowOut | None
    funnel: list[SalesFunnelStepOut]
    reasons: list[SalesReasonOut]
    behaviour: list[SalesBehaviourOut]
