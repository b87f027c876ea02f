"""Reads of the offers app: the model registry, the active model (its fitted parameters loaded once
per process and version), a customer's offers and the feedback on them."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
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
SPEND_DAYS = 365
_LOADED: dict[tuple, tuple[OfferModel, Model]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class CustomerSuggestions:
    model: OfferModel | None
    suggestions: list[Suggestion]


@dataclass
class ScoringFacts:
    """What scoring one customer reads: the active model's identity, the holdings, the spend of
    the last SPEND_DAYS days and the products declined within decline_days()."""

    model_key: tuple | None = None
    held: set[str] = field(default_factory=set)
    competitor: set[str] = field(default_factory=set)
    spend: float = 0.0
    declined: set[str] = field(default_factory=set)


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


def model_running() -> OfferModel | None:
    return OfferModel.objects.defer("artefact").filter(status=ModelStatus.TRAINING).order_by("-version").first()


def model_last_failed() -> OfferModel | None:
    return OfferModel.objects.defer("artefact").filter(status=ModelStatus.FAILED).order_by("-version").first()


def next_version() -> int:
    latest = OfferModel.objects.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


def _model_key(pk: int, version: int, finished_at: dt.datetime | str | None) -> tuple:
    """A training's identity: its version, and its row and finish time (a database restored or
    rebuilt, as tests do, may hold another model under a version this process has loaded). SQLite
    hands raw rows' times over naive (or as text), in UTC."""
    if isinstance(finished_at, str):
        finished_at = dt.datetime.fromisoformat(finished_at)
    if finished_at is not None and finished_at.tzinfo is None:
        finished_at = finished_at.replace(tzinfo=dt.UTC)
    return pk, version, finished_at


def fitted(row: OfferModel) -> Model:
    """The fitted parameters of a model row, read once per process and version."""
    return _loaded(_model_key(row.pk, row.version, row.finished_at))[1]


def _loaded(key: tuple) -> tuple[OfferModel, Model]:
    """The registry row (without its artefact) and the fitted model of `key`, from this process's
    memory, else read and deserialised (two queries, once per version); the newest replaces the
    older, so that a model trained by another process is used from its next scoring on."""
    from .engine import Model

    with _LOCK:
        loaded = _LOADED.get(key)
    if loaded is None:
        row = OfferModel.objects.defer("artefact").get(pk=key[0])
        data = OfferModel.objects.filter(pk=row.pk).values_list("artefact", flat=True).get()
        loaded = (row, Model.from_bytes(bytes(data)))
        with _LOCK:
            _LOADED.clear()
            _LOADED[key] = loaded
    return loaded


@functools.cache
def _facts_sql() -> str:
    """The scoring query: four indexed reads in one round trip (UNION ALL), each row tagged with its
    kind — the active model (the partial unique index on is_active), the customer's holdings not
    ended (the holdings' customer index), its spend since a time (the ledger's customer-and-time
    index; index-only on PostgreSQL) and its declines since a time (the feedback's customer-and-time
    index). The first branch types the NULL columns: PostgreSQL types an untyped NULL that meets
    another as text. Raw SQL: the ORM spent longer compiling this union than the database running it."""
    return f"""
        SELECT 'model', CAST(NULL AS varchar(100)), CAST(NULL AS varchar(50)), CAST(NULL AS boolean),
               CAST(NULL AS numeric), id, version, finished_at
        FROM {OfferModel._meta.db_table} WHERE is_active
        UNION ALL
        SELECT 'holding', product, category, is_competitor, NULL, NULL, NULL, NULL
        FROM {Holding._meta.db_table} WHERE customer_id = %(customer)s AND status <> %(ended)s
        UNION ALL
        SELECT 'spend', NULL, NULL, NULL, SUM(amount), NULL, NULL, NULL
        FROM {Transaction._meta.db_table}
        WHERE customer_id = %(customer)s AND kind IN (%(order)s, %(bill)s) AND occurred_at >= %(spend_since)s
        UNION ALL
        SELECT 'declined', product, NULL, NULL, NULL, NULL, NULL, NULL
        FROM {OfferFeedback._meta.db_table}
        WHERE customer_id = %(customer)s AND outcome = %(declined)s AND recorded_at >= %(declined_since)s
    """  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters


def _scoring_facts(customer: Customer, now: dt.datetime) -> ScoringFacts:
    """Everything scoring one customer reads, with one query (see _facts_sql)."""
    adapt = connection.ops.adapt_datetimefield_value
    params = {"customer": customer.pk, "ended": HoldingStatus.ENDED, "order": TransactionKind.ORDER,
              "bill": TransactionKind.BILL, "spend_since": adapt(now - dt.timedelta(days=SPEND_DAYS)),
              "declined": Outcome.DECLINED, "declined_since": adapt(now - dt.timedelta(days=decline_days()))}
    facts = ScoringFacts()
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), params)
        rows = cursor.fetchall()
    for kind, product, category, is_competitor, amount, model_id, version, finished_at in rows:
        if kind == "model":
            facts.model_key = _model_key(model_id, version, finished_at)
        elif kind == "holding" and is_competitor:
            facts.competitor.add(category or product)
        elif kind == "holding":
            facts.held.add(product)
        elif kind == "spend":
            facts.spend = float(amount or 0)
        else:
            facts.declined.add(product)
    return facts


def customer_suggestions(*, user, customer: Customer, limit: int = 3) -> CustomerSuggestions:
    """The best `limit` products for a customer the caller may read (the caller resolved it through
    the customers selectors), under the active model; none without one or for roles that do not
    see offers. One query (see _scoring_facts), and two more the first time a process meets a
    model version."""
    from .engine import suggest

    if not permissions.can(user, "offer", "read"):
        return CustomerSuggestions(None, [])
    now = timezone.now()
    facts = _scoring_facts(customer, now)
    if facts.model_key is None:
        return CustomerSuggestions(None, [])
    row, model = _loaded(facts.model_key)
    created = customer.created_at or now
    suggestions = suggest(model, held=facts.held, competitor=facts.competitor,
                          is_org=customer.kind == CustomerKind.ORGANISATION, arpu=float(customer.arpu or 0),
                          tenure_days=max(0, (now - created).days), spend_12m=facts.spend,
                          excluded=facts.declined, limit=limit)
    return CustomerSuggestions(row, suggestions)


def feedback_list(*, user, customer: Customer, limit: int = 20) -> list[OfferFeedback]:
    permissions.require(user, "offer", "read")
    return list(OfferFeedback.objects.filter(customer=customer).select_related("recorded_by")[:limit])
