"""Campaign test worlds: customers with what the target group looks at, a draft campaign through the service."""

import datetime as dt

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory

from ..services.campaigns import campaign_create

START = dt.date(2026, 3, 1)


def make_campaign(actor=SYSTEM, *, segments=(), owner=None, **data):
    data.setdefault("name", "春季宽带升级")
    data.setdefault("channels", ["sms"])
    data.setdefault("starts_on", START)
    data.setdefault("ends_on", START + dt.timedelta(days=30))
    data.setdefault("send_time", dt.time(10, 0))
    data.setdefault("message_text", "千兆宽带限时八折")
    if owner is None and actor is SYSTEM:
        owner = UserFactory(role=Role.SALES_MANAGER)
    return campaign_create(actor=actor, data=data, segments=segments, owner=owner)
