import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from .opportunities import AMOUNT, MAX_ID, OpportunityDetailOut, SalesRefOut


class SalesLeadConvertIn(Schema):
    name: str = Field("", max_length=200, description="the opportunity's name (the lead's interest by default)")
    amount: Decimal = Field(..., **AMOUNT)
    expected_close_date: dt.date
    stage: int | None = Field(None, ge=1, le=MAX_ID, description="an open stage (the first by default)")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="the deal's owner (the caller by default)")
    channel: int | None = Field(None, ge=1, le=MAX_ID)


class SalesLeadConversionOut(Schema):
    lead: SalesRefOut
    customer: SalesRefOut
    customer_created: bool
    contact: SalesRefOut | None
    opportunity: OpportunityDetailOut
