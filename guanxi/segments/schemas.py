import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from guanxi.core.run_errors import RunErrorOut
from guanxi.core.schema import Schema
from guanxi.customers.schemas import CustomerRowOut, RefOut


class SegmentIn(Schema):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    definition: dict[str, Any] = Field(default_factory=lambda: {"match": "all", "rules": []})
    is_shared: bool = False
    service_priority: int | None = None
    service_level: str = ""
    service_team_id: int | None = None
    service_hours: str = Field("", max_length=100)
    service_mode: str = ""
    service_content: str = Field("", max_length=4000)


class SegmentPatch(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    definition: dict[str, Any] | None = None
    is_shared: bool | None = None
    service_priority: int | None = None
    service_level: str | None = None
    service_team_id: int | None = None
    service_hours: str | None = Field(None, max_length=100)
    service_mode: str | None = None
    service_content: str | None = Field(None, max_length=4000)


class SegmentOut(Schema):
    id: int
    name: str
    display_name: str
    description: str
    kind: str
    system_key: str
    definition: dict[str, Any]
    owner: RefOut | None
    is_shared: bool
    member_count: int | None
    member_count_at: datetime.datetime | None
    service_priority: int | None
    service_level: str
    service_team: RefOut | None
    service_hours: str
    service_mode: str
    service_content: str
    can_edit: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PreviewIn(Schema):
    definition: dict[str, Any]


class PreviewOut(Schema):
    count: int
    definition: dict[str, Any]


class MemberOut(CustomerRowOut):
    value_level: str | None
    abc_class: str | None
    rfm_segment: str | None
    clv_36m: Decimal | None
    key_account_score: float | None


class OperatorOut(Schema):
    name: str
    label: str


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    type: str
    operators: list[OperatorOut]
    choices: list[ChoiceOut] | None


class RunOut(RunErrorOut):
    id: int
    as_of: datetime.date
    status: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    customers: int
    seconds: float | None
    summary: dict[str, Any]


class RecomputeOut(Schema):
    queued: bool
    run: RunOut | None


class ReportOut(Schema):
    report: str
    run: dict[str, Any] | None
    data: dict[str, Any] | None


class SegmentRefOut(Schema):
    id: int
    name: str
    kind: str


class ServicePlanOut(Schema):
    segment: SegmentRefOut
    level: str
    team: RefOut | None
    hours: str
    mode: str
    content: str


class StrategicWeightIn(Schema):
    weight: int | None = Field(None, ge=0, le=100)
    reason: str = Field("", max_length=400)


class StrategicWeightOut(Schema):
    weight: int | None
    reason: str


class ValueOut(Schema):
    customer_id: int
    computed: bool
    computed_at: datetime.datetime | None
    as_of: datetime.date | None
    values: dict[str, Any] | None
    cluster_description: str
    is_key_account: bool | None
    strategic_weight: StrategicWeightOut | None
    segments: list[SegmentRefOut]
    service_plan: ServicePlanOut | None
