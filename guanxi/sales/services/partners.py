"""What a channel partner changes on its deal from its home page: stage, amount and expected close
date, in one transaction (all or nothing), through the opportunity services and their checks."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from ..models import Opportunity, OpportunityStage
from .opportunities import opportunity_move, opportunity_update


@transaction.atomic
def partner_deal_update(*, actor, opportunity: Opportunity, stage: OpportunityStage, amount: Decimal,
                        expected_close_date: dt.date) -> Opportunity:
    opportunity = opportunity_update(actor=actor, opportunity=opportunity,
                                     data={"amount": amount, "expected_close_date": expected_close_date})
    if stage.pk != opportunity.stage_id:
        opportunity = opportunity_move(actor=actor, opportunity=opportunity, stage=stage)
    return opportunity
