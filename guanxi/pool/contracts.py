"""Where the "contract ended" rule learns which customers' contracts are over. The orders app
(above the pool) registers, in its AppConfig.ready(), a callable `(before: date) -> ids`: the
customers whose last contract ended before `before` (a list of ids or a queryset of ids, used as a
subquery). The pool never imports it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

ContractEndSource = Callable[[dt.date], Iterable[int]]
SOURCES: list[ContractEndSource] = []


def register_contract_end_source(source: ContractEndSource) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def unregister_contract_end_source(source: ContractEndSource) -> None:
    if source in SOURCES:
        SOURCES.remove(source)


def contract_sources() -> list[ContractEndSource]:
    return list(SOURCES)
