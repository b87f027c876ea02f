"""A customer's history: interactions (接触记录, calls, visits, messages) and transactions (交易记录:
orders, bills, payments and refunds, one at a time or imported from an outside system — billing, POS,
ordering — in all-or-nothing batches); both idempotent on `external_id`."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.accounts.access import user_of
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, ValidationFailed

from .. import permissions
from ..enums import Direction, InteractionChannel, TransactionKind
from ..models import Customer, Interaction, Transaction

MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
OLDEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)  # no ledger of this business is older
DEFAULT_IMPORT_MAX_ROWS = 1000
KINDS = frozenset(TransactionKind.values)
CHANNELS = frozenset(InteractionChannel.values)


@dataclass(frozen=True)
class Recorded:
    transaction: Transaction
    created: bool  # False: the same external id was recorded before, with the same content


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int  # rows whose external id was already recorded with the same content


def future_skew() -> dt.timedelta:
    """How far ahead of this server's clock an outside system's clock may run."""
    return dt.timedelta(seconds=getattr(settings, "HISTORY_FUTURE_SKEW_SECONDS", 300))


def import_max_rows() -> int:
    return getattr(settings, "TRANSACTIONS_IMPORT_MAX_ROWS", DEFAULT_IMPORT_MAX_ROWS)


def clean_occurred_at(value, errors: dict, *, now: dt.datetime, name: str = "occurred_at") -> dt.datetime | None:
    """A moment of the past (or within the allowed clock skew), timezone-aware; a naive one is
    read in the server's time zone."""
    if not isinstance(value, dt.datetime):
        errors[name] = "required" if value in (None, "") else "not a date and time"
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + future_skew():
        errors[name] = "must not be in the future"
    elif value < OLDEST:
        errors[name] = "must be after 1990"
    return value


def _clean_amount(value, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = "not a number"
        return None
    if not amount.is_finite():
        errors["amount"] = "not a number"
    elif amount <= 0:
        errors["amount"] = "must be greater than 0 (the kind says which way money moved)"
    elif amount > MAX_AMOUNT:
        errors["amount"] = f"at most {MAX_AMOUNT}"
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "at most 2 decimal places"
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _clean_text(name: str, value, limit: int, errors: dict) -> str:
    value = str(value or "").strip()
    if any(ord(c) < 32 for c in value):
        errors[name] = "contains control characters"
    elif len(value) > limit:
        errors[name] = f"at most {limit} characters"
    return value


def clean_transaction(data: dict, *, now: dt.datetime) -> tuple[dict, dict]:
    """The validated fields of one transaction and the reasons of the invalid ones."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = f"one of: {', '.join(TransactionKind.values)}"
    channel = data.get("channel") or ""
    if channel and channel not in CHANNELS:
        errors["channel"] = f"empty or one of: {', '.join(InteractionChannel.values)}"
    clean = {
        "kind": kind, "channel": channel,
        "amount": _clean_amount(data.get("amount"), errors),
        "occurred_at": clean_occurred_at(data.get("occurred_at"), errors, now=now),
        "description": _clean_text("description", data.get("description"), 200, errors),
        "external_id": _clean_text("external_id", data.get("external_id"), 100, errors) or None,
    }
    return clean, errors


def _same(row: Transaction, customer_id: int, clean: dict) -> bool:
    return (row.customer_id == customer_id and row.kind == clean["kind"] and row.amount == clean["amount"]
            and row.occurred_at == clean["occurred_at"])


def _replayed(customer_id: int, clean: dict) -> Transaction | None:
    """The row recorded before under the same external id; Conflict when it differs."""
    row = Transaction.objects.filter(external_id=clean["external_id"]).first()
    if row is not None and not _same(row, customer_id, clean):
        raise Conflict("This external id was already recorded for another transaction.",
                       code="external_id_conflict", fields={"external_id": "already used for another transaction"})
    return row


@transaction.atomic
def transaction_record(
    *, actor, customer: Customer, kind: str, amount, occurred_at: dt.datetime, channel: str = "", description: str = "",
    staff: User | None = None, team: Team | None = None, external_id: str | None = None,
) -> Recorded:
    """Record one order, bill, payment or refund. The amount is positive with at most two decimals;
    the time is not in the future (beyond HISTORY_FUTURE_SKEW_SECONDS). With an `external_id` the call
    is idempotent: the same id with the same customer, kind, amount and time returns the row recorded
    first (created=False); with other content it is a Conflict and nothing is written. `actor` needs
    history write over the customer; `staff` (who dealt with it) defaults to the actor."""
    permissions.require_customer(actor, customer, "write", "history")
    staff = staff if staff is not None else user_of(actor)
    clean, errors = clean_transaction({"kind": kind, "amount": amount, "occurred_at": occurred_at,
                                       "channel": channel, "description": description,
                                       "external_id": external_id}, now=timezone.now())
    if errors:
        raise ValidationFailed(fields=errors)
    if clean["external_id"]:
        existing = _replayed(customer.pk, clean)
        if existing is not None:
            return Recorded(existing, False)
    row = Transaction(customer=customer, staff=staff, team=team if team is not None else getattr(staff, "team", None),
                      **clean)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin may win the unique index
            row.save(force_insert=True)
    except IntegrityError:
        existing = _replayed(customer.pk, clean) if clean["external_id"] else None
        if existing is None:
            raise
        return Recorded(existing, False)
    return Recorded(row, True)


@transaction.atomic
def transactions_import(*, actor, rows: list[dict], staff: User | None = None) -> ImportResult:
    """Import a batch of transactions from an outside system, all or nothing.

    Each row holds `customer` (a Customer the caller may write, or None when the reference is
    unknown or out of the caller's scope — reported as unknown), plus the fields of
    `transaction_record`. Every bad row is reported (`rows[i].field`), and then nothing is written;
    rows whose external id was recorded before with the same content are skipped, with other
    content they are errors. Up to TRANSACTIONS_IMPORT_MAX_ROWS rows a call. `actor` needs history
    write over every customer named (PermissionDenied, nothing written); `staff` defaults to it."""
    permissions.require(actor, "history", "write")
    outside = [row["customer"] for row in rows if row.get("customer") is not None
               and not permissions.customer_in_scope(actor, row["customer"], "write", "history")]
    if outside:
        permissions.require(actor, "history", "write", allowed=False)
    staff = staff if staff is not None else user_of(actor)
    limit = import_max_rows()
    if not rows:
        raise ValidationFailed("Nothing to import.", fields={"rows": "at least one row"})
    if len(rows) > limit:
        raise ValidationFailed(gettext("At most %(limit)s rows per import.") % {
            "limit": limit}, fields={"rows": gettext("at most %(limit)s rows") % {
            "limit": limit}})
    now = timezone.now()
    errors: dict[str, str] = {}
    cleaned: list[tuple[Customer | None, dict]] = []
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        clean, row_errors = clean_transaction(row, now=now)
        if row.get("customer") is None:
            row_errors["customer"] = "unknown customer"
        external = clean["external_id"]
        if external and external in first_row_of:
            row_errors["external_id"] = f"repeats row {first_row_of[external]}"
        elif external:
            first_row_of[external] = index
        errors.update({f"rows[{index}].{field}": reason for field, reason in row_errors.items()})
        cleaned.append((row.get("customer"), clean))
    known = {t.external_id: t for t in Transaction.objects.filter(external_id__in=list(first_row_of))}
    new: list[Transaction] = []
    team = getattr(staff, "team", None)
    for index, (customer, clean) in enumerate(cleaned):
        before = known.get(clean["external_id"]) if clean["external_id"] else None
        if before is not None and customer is not None and not _same(before, customer.pk, clean):
            errors[f"rows[{index}].external_id"] = "already used for another transaction"
        elif before is None and customer is not None:
            new.append(Transaction(customer=customer, staff=staff, team=team, **clean))
    if errors:
        raise ValidationFailed(gettext("%(count)s row(s) are not valid; nothing was imported.") % {
            "count": len({k.split('.')[0] for k in errors})},
                               fields=errors)
    try:
        with transaction.atomic():
            Transaction.objects.bulk_create(new, batch_size=500)
    except IntegrityError as exc:  # another import recorded one of these external ids meanwhile
        raise Conflict("Another import recorded some of these external ids at the same time; send the batch again.",
                       code="external_id_conflict") from exc
    return ImportResult(created=len(new), unchanged=len(rows) - len(new))

@transaction.atomic
def interaction_record(
    *, actor, customer: Customer, channel: str, staff: User | None = None, team: Team | None = None,
    occurred_at: dt.datetime | None = None, direction: str = Direction.INBOUND, subject: str = "",
    content: str = "", duration_seconds: int | None = None, external_id: str | None = None,
) -> Interaction:
    """Record a contact with the customer (now, or at a past `occurred_at`: not in the future beyond
    HISTORY_FUTURE_SKEW_SECONDS). With an `external_id` it is idempotent: the same id returns the row
    recorded first; used for another customer it is a Conflict. `actor` needs history write over the
    customer (`SYSTEM` for the CTI webhook); `staff` (who spoke with the customer) defaults to it."""
    permissions.require_customer(actor, customer, "write", "history")
    staff = staff if staff is not None else user_of(actor)
    now = timezone.now()
    errors = {}
    if occurred_at is not None:
        occurred_at = clean_occurred_at(occurred_at, errors, now=now)
    if channel not in InteractionChannel.values:
        errors["channel"] = f"one of: {', '.join(InteractionChannel.values)}"
    if direction not in Direction.values:
        errors["direction"] = "inbound or outbound"
    if len(subject) > 200:
        errors["subject"] = "at most 200 characters"
    if duration_seconds is not None and not 0 <= duration_seconds <= 86_400:
        errors["duration_seconds"] = "0 to 86400"
    if errors:
        raise ValidationFailed(fields=errors)
    defaults = {"customer": customer, "channel": channel, "direction": direction, "staff": staff,
                "team": team if team is not None else getattr(staff, "team", None),
                "occurred_at": occurred_at or now, "subject": subject, "content": content[:20_000],
                "duration_seconds": duration_seconds}
    if external_id:
        interaction, _ = Interaction.objects.get_or_create(external_id=external_id[:100], defaults=defaults)
        if interaction.customer_id != customer.pk:
            raise Conflict("This external id was already recorded for another customer.",
                           code="external_id_conflict", fields={"external_id": "already used for another customer"})
        return interaction
    return Interaction.objects.create(**defaults)
