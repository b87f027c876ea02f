import uuid
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import user_of
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.versioning import require_version

from .. import normalize, permissions
from ..models import Brand, Customer, Tag
from ..ownership import REASONS, Party, decide_ownership
from ..validation import EDITABLE_FIELDS, clean_customer_fields, clean_tag_names, reason, reasons

# The fields a version conflict may list as changed: those people edit, the kind and name first.
VERSIONED_FIELDS = ("kind", "name", *sorted(EDITABLE_FIELDS - {"kind", "name"}))


def refresh_name_keys(customer: Customer) -> None:
    """Pinyin and initials of the name, which search matches by prefix, and the words of the name
    with their pinyin and initials, which search matches word by word."""
    customer.name_pinyin = normalize.name_pinyin(customer.name)[:300]
    customer.name_initials = normalize.name_initials(customer.name)[:100]
    customer.name_terms = normalize.name_terms(customer.name, organisation=customer.is_organisation)


def _apply_ownership(*, actor: User, clean: dict, customer: Customer | None) -> None:
    """Set the owner and team `clean` asks for, as the ownership rule allows (see
    `customers.ownership`): 403 when the actor may not hand the customer over, 422 when the owner
    cannot own it; nothing is written either way."""
    owner, team = clean.get("owner"), clean.get("team")
    # A new customer's empty owner or team is no request (the API sends its defaults); on a
    # change, an empty one clears it.
    given = (lambda name: clean.get(name) is not None) if customer is None else (lambda name: name in clean)
    decision = decide_ownership(
        actor=Party.of(actor), current=None if customer is None else (customer.owner_id, customer.team_id),
        owner=Party.of(owner) if isinstance(owner, User) else None, owner_given=given("owner"),
        team_id=team.pk if isinstance(team, Team) else None, team_given=given("team"),
    )
    if decision.refusal is not None:
        message = REASONS[decision.refusal]
        if decision.forbidden:
            raise PermissionDenied(message, code="owner_forbidden", fields={"owner": decision.refusal})
        raise ValidationFailed(fields={"owner": message})
    clean.pop("owner", None)
    clean.pop("team", None)
    clean["owner_id"], clean["team_id"] = decision.owner_id, decision.team_id


def _set_tags(customer: Customer, names: list[str]) -> None:
    names, error = clean_tag_names(names)
    if error:
        raise ValidationFailed(fields={"tags": reason(*error)})
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name] = Tag.objects.create(name=name)
    customer.tags.set(existing.values())


def customer_fields_clean(data: dict, *, partial: bool) -> dict:
    """The customer fields checked and normalised by the one validation (`customers.validation`), with
    the brand, owner and team looked up by id; ValidationFailed names every bad field."""
    clean, errors = clean_customer_fields(data, partial=partial, today=timezone.localdate())
    lookups = {"brand": (Brand, "unknown_brand"), "owner": (User, "unknown_user"), "team": (Team, "unknown_team")}
    for name, (model, code) in lookups.items():
        value = clean.get(name)
        if value in (None, "") or isinstance(value, model):
            continue
        try:
            clean[name] = model.objects.get(pk=int(value))
        except (TypeError, ValueError, model.DoesNotExist):
            errors[name] = (code, {"value": repr(value)})
    owner = clean.get("owner")
    if isinstance(owner, User) and not owner.is_active:
        errors["owner"] = ("inactive_user", None)
    if errors:
        raise ValidationFailed(fields=reasons(errors))
    return clean


def _next_customer_id() -> int | None:
    """The next key of the customers table's sequence (PostgreSQL), else None (the database numbers
    the row as it is inserted)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        # The lock the INSERT takes anyway, taken first: an import reserving a block of ids (under a
        # SHARE ROW EXCLUSIVE lock) is waited for, so this key cannot fall inside its block.
        cursor.execute(f'LOCK TABLE "{Customer._meta.db_table}" IN ROW EXCLUSIVE MODE')
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", (Customer._meta.db_table,))
        return cursor.fetchone()[0]


@transaction.atomic
def customer_create(*, actor: User, data: dict, tags: list[str] | None = None) -> Customer:
    """Create a customer with normalised contact data and derived search keys; audited as `actor`
    (write on customers; its owner and team as the ownership rule allows)."""
    permissions.require(actor, "customer", "write", message=permissions.CREATE_DENIED)
    clean = customer_fields_clean(data, partial=False)
    _apply_ownership(actor=actor, clean=clean, customer=None)
    # The customer number follows the primary key so it is unique without a lock. On PostgreSQL
    # the key is drawn from the table's sequence first, so the row is written once with its number
    # (an UPDATE of `code` afterwards would add a second entry to every index of the table).
    pk = _next_customer_id()
    customer = Customer(pk=pk, code=f"C{pk:09d}" if pk else f"tmp-{uuid.uuid4().hex[:15]}", **clean)
    refresh_name_keys(customer)
    # The audit row is written once the number is known.
    customer.skip_history_when_saving = True
    customer.save(force_insert=True)
    del customer.skip_history_when_saving
    if not pk:
        customer.code = f"C{customer.pk:09d}"
        Customer.objects.filter(pk=customer.pk).update(code=customer.code)
    Customer.history.bulk_history_create([customer], default_user=user_of(actor))
    if tags:
        _set_tags(customer, tags)
    return customer


@transaction.atomic
def customer_update(
    *, actor: User, customer: Customer, data: dict, tags: list[str] | None = None,
    expected_updated_at=None, expected_version: int | None = None,
) -> Customer:
    """Change the given fields (write scope over the customer; a new owner or team as the ownership
    rule allows). Locks the customer; refuses (409) a caller's copy older than the record: version
    `expected_version` (VersionConflict, what changed since) or `expected_updated_at`."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    permissions.require_customer(actor, customer, "write")
    if customer.is_deleted:
        raise Conflict("This customer has been deleted.", code="deleted")
    require_version(customer, expected_version, fields=VERSIONED_FIELDS, submitted=data,
                    masked=() if permissions.can_see_personal_data(user=actor, customer=customer)
                    else permissions.PERSONAL_DATA_FIELDS)
    if expected_updated_at and customer.updated_at != expected_updated_at:
        raise Conflict("Someone else changed this customer; reload and try again.", code="stale")
    clean = customer_fields_clean(data, partial=True)
    if "owner" in clean or "team" in clean:
        _apply_ownership(actor=actor, clean=clean, customer=customer)
        if (clean["owner_id"], clean["team_id"]) == (customer.owner_id, customer.team_id):
            del clean["owner_id"], clean["team_id"]
    for field, value in clean.items():
        setattr(customer, field, value)
    refresh_name_keys(customer)
    customer._history_user = user_of(actor)
    customer.save()
    if tags is not None:
        _set_tags(customer, tags)
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> Customer:
    """Soft delete (delete scope over the customer): the record leaves every list but keeps its history
    and related records. Locks the customer."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    permissions.require_customer(actor, customer, "delete")
    if customer.is_deleted:
        raise Conflict("This customer is already deleted.", code="already_deleted")
    customer.deleted_at = timezone.now()
    customer._history_user = user_of(actor)
    customer._change_reason = "deleted"
    customer.save(update_fields=["deleted_at", "updated_at"])
    return customer

def customer_search_reindex(*, actor, batch_size: int = 2000,
                            progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the pinyin, initials and name words of every customer, one transaction per batch (the keys
    are only derived, so a partial run is consistent and can simply be re-run). Administration
    (configure on customers): the system and administrators."""
    permissions.require(actor, "customer", "configure")
    total = Customer.objects.count()
    done, last_id = 0, 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "name", "kind")[:batch_size])
        if not batch:
            return done
        for customer in batch:
            refresh_name_keys(customer)
        with transaction.atomic():
            Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials", "name_terms"])
        done += len(batch)
        last_id = batch[-1].pk
        if progress:
            progress(done, total)
