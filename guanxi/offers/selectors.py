"""Reads of the offers app: the model registry, the latest active model (its fitted parameters
cached per process by version), a customer's offers and the feedback on them."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.utils import timezone

from guanxi.core.errors import NotFound
from guanxi.customers.enums import CustomerKind, HoldingStatus, TransactionKind
from guanxi.customers.models import Customer, Holding, Transaction

from . import permissions
from .enums import ModelStatus, Outcome
from .models import OfferFeedback, OfferModel

if TYPE_CHECKING:
    from .engine import Model, Suggestion

DECLINE_DAYS = 90
ACTIVE_KEY = "offers:active-model"
ACTIVE_SECONDS = 300  # a safety net: trainings delete the key when they commit
_LOADED: dict[tuple[int, str], Model] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class CustomerSuggestions:
    model: OfferModel | None
    suggestions: list[Suggestion]


def decline_days() -> int:
    return int(getattr(settings, "OFFERS_DECLINE_DAYS", DECLINE_DAYS))


def model_list(*, user) -> QuerySet[OfferModel]:
    """Every training, newest first, without the fitted parameters."""
    permissions.require(user, "model", "read", message="Your role cannot see the offer models.")
    return OfferModel.objects.defer("artefact").select_related("started_by").order_by("-version")


def model_get_for_user(*, user, model_id: int) -> OfferModel:
    model = model_list(user=user).filter(pk=model_id).first()
    if model is None:
        raise NotFound("Offer model not found.")
    return model


def model_active() -> OfferModel | None:
    return OfferModel.objects.defer("artefact").filter(is_active=True).first()


def _active_for_scoring() -> OfferModel | None:
    """The active model for scoring: from the cache (every process sees a new model as soon as a
    training commits, see forget_active_model), else one query."""
    row = cache.get(ACTIVE_KEY)
    if row is None:
        row = model_active()
        if row is not None:
            cache.set(ACTIVE_KEY, row, ACTIVE_SECONDS)
    return row


def forget_active_model() -> None:
    cache.delete(ACTIVE_KEY)


def model_running() -> OfferModel | None:
    return OfferModel.objects.defer("artefact").filter(status=ModelStatus.TRAINING).order_by("-version").first()


def model_last_failed() -> OfferModel | None:
    return OfferModel.objects.defer("artefact").filter(status=ModelStatus.FAILED).order_by("-version").first()


def next_version() -> int:
    latest = OfferModel.objects.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


def fitted(row: OfferModel) -> Model:
    """The fitted parameters of a model row, read once per process and version."""
    from .engine import Model

    key = (row.pk, row.finished_at.isoformat() if row.finished_at else "")
    with _LOCK:
        model = _LOADED.get(key)
    if model is None:
        data = OfferModel.objects.filter(pk=row.pk).values_list("artefact", flat=True).first()
        model = Model.from_bytes(bytes(data))
        with _LOCK:
            _LOADED.clear()  # one model per process: the newest replaces the older
            _LOADED[key] = model
    return model


def declined_products(*, customer: Customer, now: dt.datetime | None = None) -> set[str]:
    """Products the customer declined within the last OFFERS_DECLINE_DAYS days."""
    since = (now or timezone.now()) - dt.timedelta(days=decline_days())
    return set(OfferFeedback.objects.filter(customer=customer, outcome=Outcome.DECLINED, recorded_at__gte=since)
               .values_list("product", flat=True))


def customer_suggestions(*, user, customer: Customer, limit: int = 3) -> CustomerSuggestions:
    """The best `limit` products for a customer the caller may read (the caller resolved it through
    the customers selectors), under the active model; none without one or for roles that do not
    see offers. Four indexed queries: the active model, holdings, last year's spend, declines."""
    from .engine import suggest

    if not permissions.can(user, "offer", "read"):
        return CustomerSuggestions(None, [])
    row = _active_for_scoring()
    if row is None:
        return CustomerSuggestions(None, [])
    model = fitted(row)
    held, competitor = set(), set()
    for product, category, is_competitor in (Holding.objects.filter(customer=customer)
                                             .exclude(status=HoldingStatus.ENDED)
                                             .values_list("product", "category", "is_competitor")):
        if is_competitor:
            competitor.add(category or product)
        else:
            held.add(product)
    now = timezone.now()
    spend = (Transaction.objects.filter(customer=customer, kind__in=(TransactionKind.ORDER, TransactionKind.BILL),
                                        occurred_at__gte=now - dt.timedelta(days=365))
             .aggregate(total=Sum("amount"))["total"]) or 0
    created = customer.created_at or now
    suggestions = suggest(model, held=held, competitor=competitor,
                          is_org=customer.kind == CustomerKind.ORGANISATION, arpu=float(customer.arpu or 0),
                          tenure_days=max(0, (now - created).days), spend_12m=float(spend),
                          excluded=declined_products(customer=customer, now=now), limit=limit)
    return CustomerSuggestions(row, suggestions)


def feedback_list(*, user, customer: Customer, limit: int = 20) -> list[OfferFeedback]:
    permissions.require(user, "offer", "read")
    return list(OfferFeedback.objects.filter(customer=customer).select_related("recorded_by")[:limit])
