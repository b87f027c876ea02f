import datetime
from typing import Any

from ninja import Field

from guanxi.core.run_errors import RunErrorOut
from guanxi.core.schema import Schema

from .enums import Outcome


class OffersOfferOut(Schema):
    product: str
    reason: str = Field(description="why it fits, in the reader's language")
    score: float
    share: float = Field(description="share of similar customers holding it (0–1)")
    because: str = Field(description="the held product (or competitor's category) the reason names; empty if none")


class OffersCustomerOut(Schema):
    customer_id: int
    model_version: int | None
    algorithm: str
    offers: list[OffersOfferOut]


class OffersFeedbackIn(Schema):
    product: str = Field(max_length=100)
    outcome: Outcome


class OffersFeedbackOut(Schema):
    id: int
    customer_id: int
    product: str
    outcome: str
    recorded_at: datetime.datetime


class OffersModelOut(RunErrorOut):
    id: int
    version: int
    status: str
    is_active: bool
    algorithm: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    data_from: datetime.date | None
    data_until: datetime.date | None
    customers: int
    sample_size: int
    seconds: float | None
    metrics: dict[str, Any]


class OffersTrainOut(Schema):
    queued: bool
    model: OffersModelOut | None
