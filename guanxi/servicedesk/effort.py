"""Service cases as effort for the key-account criterion "takes much of the company's time"
(SPEC B.5): the segments value run adds each customer's cases of the last year."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count

from .models import Ticket

if TYPE_CHECKING:
    import pandas as pd


def case_effort(since: dt.datetime, until: dt.datetime) -> pd.DataFrame:
    """Cases opened per customer in [since, until): one GROUP BY over the cases' time index."""
    import pandas as pd

    rows = (Ticket.objects.filter(created_at__gte=since, created_at__lt=until, customer__isnull=False)
            .values("customer_id").annotate(effort=Count("id")).values_list("customer_id", "effort"))
    return pd.DataFrame(list(rows), columns=["customer_id", "effort"])
