"""The explorer's demo step: saved views an analyst shares with everyone and a sales manager keeps for
the team (the pivots the demo's stories are read from)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User

from ..models import ExplorerView
from .query import ExplorerQuery
from .saved import explorer_view_save

VIEWS = (
    (Role.ANALYST, "各团队月度收入", ("revenue", "order_lines"), ("month",), ("team",), "everyone"),
    (Role.ANALYST, "工单类型与渠道", ("cases", "breaches"), ("case_type",), ("channel",), "everyone"),
    (Role.SALES_MANAGER, "本团队代表业绩", ("revenue", "received"), ("representative",), ("quarter",), "team"),
)


def explorer_demo_load(*, seed: int, scale: float, staff, customers, now: dt.datetime | None = None) -> str:
    today = timezone.localdate(now) if now else timezone.localdate()
    made = 0
    for role, name, measures, rows, columns, sharing in VIEWS:
        owner = User.objects.filter(role=role, is_active=True).order_by("id").first()
        if owner is None or ExplorerView.objects.filter(owner=owner, name=name).exists():
            continue
        query = ExplorerQuery(measures=measures, rows=rows, columns=columns,
                              date_from=dt.date(today.year - 1, 1, 1), date_to=today)
        explorer_view_save(actor=owner, name=name, query=query, sharing=sharing)
        made += 1
    return f"explorer: {made} saved views"
