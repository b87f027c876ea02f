import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

MAX_ID = 2**63 - 1


class KeyAccountFilterIn(Schema):
    tier: str = Field("", max_length=30, description="a tier's code")
    q: str = Field("", max_length=100, description="part of the customer's name, or its number")


class KeyAccountOut(Schema):
    id: int
    customer: int
    customer_name: str
    tier: str
    tier_name: str
    manager: int
    manager_name: str
    backup: int | None
    backup_name: str
    is_active: bool
    designated_at: dt.datetime
    score_at_designation: float | None
    wallet_estimate: Decimal | None


class KeyAccountPageOut(Schema):
    items: list[KeyAccountOut]
    next_cursor: str | None


class KeyAccountCriterionOut(Schema):
    key: str
    label: str
    score: float
    weight: float
    points: float


class KeyAccountEventOut(Schema):
    kind: str
    actor: str
    at: dt.datetime
    reason: str
    override_reason: str
    score: float | None
    detail: str


class KeyAccountCompetitorOut(Schema):
    name: str
    share_of_wallet: Decimal
    products: str


class KeyAccountDetailOut(KeyAccountOut):
    score: float | None
    threshold: int
    meets_criteria: bool
    criteria: list[KeyAccountCriterionOut]
    revenue_last_year: Decimal
    share_of_wallet: Decimal | None
    competitors: list[KeyAccountCompetitorOut]
    history: list[KeyAccountEventOut]


class KeyAccountDesignateIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    tier: str = Field(..., max_length=30, description="a tier's code")
    manager: int = Field(..., ge=1, le=MAX_ID)
    backup: int | None = Field(None, ge=1, le=MAX_ID)
    reason: str = Field("", max_length=2000)
    override_reason: str = Field("", max_length=2000, description="needed when the customer fails the criteria")
    wallet_estimate: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class KeyAccountReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class KeyPersonIn(Schema):
    contact: int = Field(..., ge=1, le=MAX_ID, description="a contact of the account's customer")
    role: str = Field(..., max_length=20)
    influence: int = Field(3, ge=1, le=5)
    relationship: int = Field(3, ge=1, le=5)
    reports_to: int | None = Field(None, ge=1, le=MAX_ID, description="id of a key person of this account")
    notes: str = Field("", max_length=500)


class KeyPersonOut(Schema):
    id: int
    contact: int
    name: str
    title: str
    department: str
    birth_date: dt.date | None
    role: str
    influence: int
    relationship: int
    reports_to: int | None
    notes: str


class KeyAccountPlanIn(Schema):
    positioning: str | None = Field(None, max_length=10000)
    external_analysis: str | None = Field(None, max_length=10000)
    internal_analysis: str | None = Field(None, max_length=10000)
    objectives_text: str | None = Field(None, max_length=10000)
    strategy: str | None = Field(None, max_length=10000)
    revenue_target: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    share_target: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    satisfaction_target: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    projects_target: int | None = Field(None, ge=0, le=1000)


class KeyAccountActualsOut(Schema):
    revenue: Decimal
    share_of_wallet: Decimal | None
    projects_won: int
    satisfaction: float | None
    attainment: Decimal | None
    monthly: list[float]


class KeyAccountPlanOut(Schema):
    year: int
    exists: bool
    positioning: str
    external_analysis: str
    internal_analysis: str
    objectives_text: str
    strategy: str
    revenue_target: Decimal | None
    share_target: Decimal | None
    satisfaction_target: Decimal | None
    projects_target: int | None
    actuals: KeyAccountActualsOut


# ---------------------------------------------------------------- green channel, visits


class GreenProcessFilterIn(Schema):
    account: int | None = Field(None, ge=1, le=MAX_ID, description="a key account's id")
    status: str = Field("", max_length=10, description="running or done")


class GreenStepOut(Schema):
    id: int
    position: int
    name: str
    owner: int
    owner_name: str
    status: str
    limit_amount: int
    limit_unit: str
    required_documents: list[str]
    documents: list[str]
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    is_late: bool
    notes: str


class GreenProcessOut(Schema):
    id: int
    account: int
    customer_name: str
    template: int
    template_name: str
    title: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    current_step: str
    current_due_at: dt.datetime | None


class GreenProcessDetailOut(GreenProcessOut):
    steps: list[GreenStepOut]


class GreenProcessPageOut(Schema):
    items: list[GreenProcessOut]
    next_cursor: str | None


class GreenProcessStartIn(Schema):
    account: int = Field(..., ge=1, le=MAX_ID, description="a key account's id")
    template: int | None = Field(None, ge=1, le=MAX_ID, description="a template's id; default: the first in use")
    title: str = Field("", max_length=200)


class GreenStepCompleteIn(Schema):
    notes: str = Field("", max_length=5000)


class GreenDocumentFilterIn(Schema):
    step: int | None = Field(None, ge=1, le=MAX_ID, description="a step's id: that step's documents only")


class GreenDocumentOut(Schema):
    id: int
    process: int
    step: int
    step_name: str
    name: str = Field(..., description="which of the step's required documents this is")
    file_name: str = Field(..., description="the name the file was uploaded with")
    size: int | None = Field(..., description="bytes; null when the stored file is missing")
    uploaded_by: int | None
    uploaded_at: dt.datetime
    download: str = Field(..., description="the API path that hands the file out (permission-checked)")


class GreenDocumentPageOut(Schema):
    items: list[GreenDocumentOut]
    next_cursor: str | None


class VisitFilterIn(Schema):
    account: int | None = Field(None, ge=1, le=MAX_ID, description="a key account's id")
    kind: str = Field("", max_length=20, description="manager_visit, customer_visit or friendly_service")
    status: str = Field("", max_length=10, description="planned, done or cancelled")


class VisitOut(Schema):
    id: int
    account: int
    customer_name: str
    kind: str
    subject: str
    owner: int
    owner_name: str
    scheduled_at: dt.datetime
    status: str
    outcome: str
    done_at: dt.datetime | None


class VisitPageOut(Schema):
    items: list[VisitOut]
    next_cursor: str | None


class VisitIn(Schema):
    account: int = Field(..., ge=1, le=MAX_ID, description="a key account's id")
    kind: str = Field(..., max_length=20, description="manager_visit, customer_visit or friendly_service")
    scheduled_at: dt.datetime = Field(..., description="with its time zone; not in the past")
    subject: str = Field("", max_length=200)


class VisitOutcomeIn(Schema):
    outcome: str = Field(..., max_length=5000)


class VisitCoverageOut(Schema):
    manager_id: int
    manager: str
    accounts: int
    covered: int
    share: float


class ChannelFiguresOut(Schema):
    key: str
    label: str
    open: int | None = Field(None, description="open items; null while the channel is not set up")
    late: int | None = Field(None, description="of those, breached or late")


class KeyAccountDashboardOut(Schema):
    id: int
    year: int
    revenue_this_year: Decimal
    revenue_last_12_months: Decimal
    trend_percent: Decimal | None = Field(None, description="last 12 months against the 12 before")
    pipeline_amount: Decimal
    pipeline_weighted: Decimal
    open_opportunities: int
    channels: list[ChannelFiguresOut]
    satisfaction: float | None = None
    plan_attainment_percent: Decimal | None = None
    risk: float | None = Field(None, description="the churn score; null when none is registered yet")
    has_risk_score: bool
