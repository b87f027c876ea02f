"""The registry of other modules' per-customer effort (e.g. service cases), which adds to the "time it
takes" key-account criterion. Kept apart from `storage` so that registering imports no pandas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# Functions `(since: aware datetime, until: aware datetime) -> DataFrame[customer_id, effort]`,
# registered in their AppConfig.ready().
EFFORT_SOURCES: list[Callable[[dt.datetime, dt.datetime], pd.DataFrame | None]] = []


def register_effort_source(source: Callable[[dt.datetime, dt.datetime], pd.DataFrame | None]) -> None:
    if source not in EFFORT_SOURCES:
        EFFORT_SOURCES.append(source)
