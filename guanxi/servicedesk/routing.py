"""The registry through which a higher module routes new cases (e.g. the key accounts' red channel,
红色通道): a router looks at a case about to be opened and may send it to a team, raise its priority
and put its own service standards (a standard tier of their own) before the general ones. Standards
a router reserves apply only to the cases it routes. Routers are registered in AppConfig.ready() and
must stay cheap: they run inside every case's creation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .models import ServiceStandard, Ticket


@dataclass(frozen=True)
class Route:
    """What a router decides for a new case: its team, a priority it gets at least, the standards
    that come first for their metrics, and what to do once the case exists (e.g. record the routing)."""

    team_id: int | None = None
    priority: int | None = None
    standards: tuple[ServiceStandard, ...] = ()
    after_create: Callable[[Ticket], None] | None = field(default=None, compare=False)


class CaseRouter(Protocol):
    def route(self, ticket: Ticket) -> Route | None: ...

    def reserved_standard_ids(self) -> frozenset[int]: ...


CASE_ROUTERS: list[CaseRouter] = []


def register_case_router(router: CaseRouter) -> None:
    if router not in CASE_ROUTERS:
        CASE_ROUTERS.append(router)


def route_case(ticket: Ticket) -> Route | None:
    """The first route a registered router gives the (unsaved) case, or none."""
    for router in CASE_ROUTERS:
        route = router.route(ticket)
        if route is not None:
            return route
    return None


def reserved_standard_ids() -> frozenset[int]:
    """Standards kept for routed cases: never matched for the others."""
    ids: frozenset[int] = frozenset()
    for router in CASE_ROUTERS:
        ids |= router.reserved_standard_ids()
    return ids
