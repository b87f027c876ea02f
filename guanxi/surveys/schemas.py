import datetime as dt

from pydantic import Field

from guanxi.core.api import RefOut
from guanxi.core.schema import Schema


class QuestionnaireIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    purpose: str = Field("post_case", max_length=20)


class QuestionnaireOut(Schema):
    id: int
    code: str
    name: str
    purpose: str
    is_active: bool
    versions: list["VersionSummaryOut"]


class QuestionnairePageOut(Schema):
    items: list[QuestionnaireOut]
    next_cursor: str | None


class OptionIn(Schema):
    value: str = Field(max_length=30)
    zh: str = Field(max_length=100)
    en: str = Field("", max_length=100)


class QuestionIn(Schema):
    type: str = Field(max_length=20)
    dimension: str = Field("", max_length=20)
    text_zh: str = Field(max_length=500)
    text_en: str = Field("", max_length=500)
    options: list[OptionIn] = Field(default_factory=list, max_length=50)
    is_required: bool = True


class VersionIn(Schema):
    title_zh: str = Field(max_length=200)
    title_en: str = Field("", max_length=200)
    intro_zh: str = Field("", max_length=2000)
    intro_en: str = Field("", max_length=2000)
    modes: list[str] = Field(max_length=6)
    questions: list[QuestionIn] = Field(max_length=100)


class PublishIn(Schema):
    accept_warnings: bool = False


class QuestionOut(Schema):
    order: int
    type: str
    dimension: str
    text_zh: str
    text_en: str
    options: list[dict]
    is_required: bool


class VersionSummaryOut(Schema):
    id: int
    number: int
    status: str
    published_at: dt.datetime | None


class ChecksOut(Schema):
    seconds: dict[str, int]
    errors: list[str]
    warnings: list[str]
    is_publishable: bool


class VersionOut(Schema):
    id: int
    questionnaire: int
    number: int
    status: str
    modes: list[str]
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    published_at: dt.datetime | None
    questions: list[QuestionOut]
    checks: ChecksOut


class AnswerOut(Schema):
    question: int
    dimension: str
    raw: object
    score: float | None
    score_pct: float | None


class SurveyOut(Schema):
    id: int
    questionnaire: str
    version: int
    customer: RefOut
    mobile: str
    case: str | None
    mode: str
    trigger: str
    status: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None


class SurveyDetailOut(SurveyOut):
    answers: list[AnswerOut]
    recorded_by: RefOut | None


class SurveyPageOut(Schema):
    items: list[SurveyOut]
    next_cursor: str | None


class SurveyFilterIn(Schema):
    status: str = Field("answered", max_length=10, description="sent, answered (default), expired or empty: all")
    mode: str = Field("", max_length=20)


class ActionIn(Schema):
    title: str = Field(max_length=200)
    dimension: str = Field(max_length=20)
    owner: int | None = Field(None, ge=1, le=2**63 - 1, description="default: you")
    due_date: dt.date
    status: str = Field("open", max_length=20)
    notes: str = Field("", max_length=5000)
    closure: str = Field("", max_length=5000)


class ActionUpdateIn(Schema):
    title: str | None = Field(None, max_length=200)
    dimension: str | None = Field(None, max_length=20)
    owner: int | None = Field(None, ge=1, le=2**63 - 1)
    due_date: dt.date | None = None
    status: str | None = Field(None, max_length=20)
    notes: str | None = Field(None, max_length=5000)
    closure: str | None = Field(None, max_length=5000)


class PeriodOut(Schema):
    start: dt.datetime
    end: dt.datetime
    mean: float | None = Field(description="mean score 0–100; null when the sample is too small")
    count: int


class ActionOut(Schema):
    id: int
    title: str
    dimension: str
    owner: RefOut
    due_date: dt.date
    status: str
    notes: str
    closure: str
    closed_at: dt.datetime | None
    created_at: dt.datetime


class ActionDetailOut(ActionOut):
    before: PeriodOut
    after: PeriodOut
    change: float | None


class ActionPageOut(Schema):
    items: list[ActionOut]
    next_cursor: str | None


class ActionFilterIn(Schema):
    status: str = Field("", max_length=20)
    dimension: str = Field("", max_length=20)


QuestionnaireOut.model_rebuild()


class WaveQuotaIn(Schema):
    minimum: int = Field(0, ge=0, le=1_000_000)
    maximum: int | None = Field(None, ge=0, le=1_000_000)


class WaveIn(Schema):
    name: str = Field(max_length=120)
    version: int = Field(ge=1, le=2**63 - 1, description="a published questionnaire version")
    mode: str = Field(max_length=20)
    sample_size: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0, le=2**62)
    dimensions: list[str] = Field(default_factory=lambda: ["customer_type", "contact_frequency", "channel",
                                                             "arpu_band"], max_length=4)
    method: str = Field("proportional", max_length=20)
    quotas: dict[str, WaveQuotaIn] = Field(default_factory=dict)
    quiet_days: int = Field(90, ge=0, le=3650)
    exclude_opted_out: bool = True
    reminder_count: int = Field(2, ge=0, le=5)
    reminder_interval_days: int = Field(3, ge=1, le=60)


class WaveRateOut(Schema):
    stratum: str
    sampled: int
    sent: int
    answered: int
    rate: float | None


class WaveOut(Schema):
    id: int
    name: str
    version: int
    mode: str
    status: str
    sample_size: int
    seed: int
    dimensions: list[str]
    method: str
    quotas: dict
    quiet_days: int
    exclude_opted_out: bool
    reminder_count: int
    reminder_interval_days: int
    sampled_at: dt.datetime | None
    launched_at: dt.datetime | None
    closed_at: dt.datetime | None


class WaveDetailOut(WaveOut):
    strata: list[dict]
    rates: list[WaveRateOut]


class WavePageOut(Schema):
    items: list[WaveOut]
    next_cursor: str | None
