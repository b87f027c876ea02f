"""Reading the dashboard: which cards a viewer may see (permissions.py), their figures from the
warehouse, and the records behind a figure through the owning app's scoped selectors."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import PermissionDenied, ValidationFailed

from ..permissions import permissions
from ..warehouse.store import connect, manifest_read, warehouse_dir
from . import figures
from .periods import ImpossiblePeriod, Period, current_period, period_for

CARD_ENTITY = {"customers": "dashboard_customers", "churn": "dashboard_customers",
               "arpu": "dashboard_sales", "revenue": "dashboard_sales", "pipeline": "dashboard_sales",
               "cases": "dashboard_service", "attainment": "dashboard_service", "satisfaction": "dashboard_service"}
RECORDS_CAP = 2000
# Figures are company-wide and change only with a refresh: cached per warehouse version and period.
CACHE_SECONDS = 6 * 3600


def visible_cards(user) -> list[str]:
    return [key for key, entity in CARD_ENTITY.items() if permissions.can(user, entity, "read")]


def dashboard_period(*, kind: str, start: dt.date | None) -> Period:
    """The period asked for; ValidationFailed (400) when it cannot be (see `period_for`)."""
    try:
        return period_for(kind, start, timezone.localdate())
    except ImpossiblePeriod as exc:
        if str(exc) == "kind":
            raise ValidationFailed(_("The period must be a month, a quarter or a year."), code="bad_period",
                                   fields={"period": _("Choose month, quarter or year.")}) from exc
        raise ValidationFailed(_("The period must start on its first day, in 2000 or later, and not in the "
                                 "future."), code="bad_period", fields={"start": _("Impossible start.")}) from exc


def dashboard_cards(*, user, period: Period, only: str | None = None) -> list[figures.Card]:
    """The figures of the cards `user` may see (or of one card, `only`: forbidden when not theirs)."""
    keys = visible_cards(user)
    if only is not None:
        if only not in CARD_ENTITY:
            raise ValidationFailed(_("Unknown figure."), code="unknown_figure")
        permissions.require(user, CARD_ENTITY[only], "read")
        keys = [only]
    if not keys:
        raise PermissionDenied(_("You may not see the executive dashboard."))
    return _cards(manifest_read(), period, keys)


def _cards(manifest, period: Period, keys: list[str]) -> list[figures.Card]:
    where = hashlib.sha1(str(warehouse_dir()).encode(), usedforsecurity=False).hexdigest()[:12]
    version = f"analytics:dashboard:{where}:{manifest.refresh_id}:{period.kind}:{period.start}"
    cached = cache.get_many([f"{version}:{key}" for key in keys])
    missing = [key for key in keys if f"{version}:{key}" not in cached]
    if missing:
        reader = connect(manifest)
        try:
            computed = {f"{version}:{key}": figures.FIGURES[key](reader, period) for key in missing}
        finally:
            reader.close()
        cache.set_many(computed, CACHE_SECONDS)
        cached |= computed
    return [cached[f"{version}:{key}"] for key in keys]


def dashboard_warm() -> int:
    """Compute and cache every card of the default (last whole) and the current month, quarter and
    year (after a refresh, so that nobody waits for the first view of a new warehouse version);
    returns how many were computed."""
    manifest = manifest_read()
    today = timezone.localdate()
    count = 0
    for kind in ("month", "quarter", "year"):
        for period in (period_for(kind, None, today), current_period(kind, today)):
            count += len(_cards(manifest, period, list(CARD_ENTITY)))
    return count


def dashboard_built_at():
    """When the warehouse the figures come from was last refreshed (None: never)."""
    from ..models import WarehouseRefresh

    if not manifest_read().tables:
        return None
    run = WarehouseRefresh.objects.filter(status=WarehouseRefresh.Status.DONE).order_by("-pk").first()
    return run.finished_at if run else None


def figure_records(*, user, figure: str, period: Period, key: str = ""):
    """(kind, queryset) of the records behind `figure` in `period`, only those `user` may read (the
    owning app's selector), newest first; at most RECORDS_CAP of them."""
    if figure not in figures.RECORDS or figures.RECORDS[figure][1] is None:
        raise ValidationFailed(_("Unknown figure."), code="unknown_figure")
    permissions.require(user, CARD_ENTITY[figure], "read")
    reader = connect()
    try:
        ids = figures.record_ids(reader, figure, period, key=key, limit=RECORDS_CAP)
    finally:
        reader.close()
    kind = figures.RECORDS[figure][0]
    return kind, _scoped(kind, user, ids)


def _scoped(kind: str, user, ids: list[int]):
    if kind == "customer":
        from guanxi.customers.selectors.customers import customer_list

        return customer_list(user=user).filter(pk__in=ids).order_by("-pk")
    if kind == "order":
        from guanxi.orders.selectors import order_search

        return order_search(user=user).filter(pk__in=ids).select_related("customer").order_by("-pk")
    if kind == "opportunity":
        from guanxi.sales.selectors.opportunities import opportunity_list

        return opportunity_list(user=user).filter(pk__in=ids).select_related("customer", "stage").order_by("-pk")
    if kind == "case":
        from guanxi.servicedesk.selectors.tickets import ticket_list

        return ticket_list(user=user).filter(pk__in=ids).select_related("customer").order_by("-pk")
    from guanxi.surveys.selectors import response_list

    return response_list(user=user).filter(pk__in=ids).select_related("customer").order_by("-pk")
