import uuid

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, policy_for
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed

from .. import normalize
from ..models import Customer, Tag
from .validation import clean_customer_fields

MAX_TAGS = 20


def refresh_name_keys(customer: Customer) -> None:
    """Pinyin and initials of the name, which search matches by prefix, and the words of the name
    with their pinyin and initials, which search matches word by word."""
    customer.name_pinyin = normalize.name_pinyin(customer.name)[:300]
    customer.name_initials = normalize.name_initials(customer.name)[:100]
    customer.name_terms = normalize.name_terms(customer.name, organisation=customer.is_organisation)


def _apply_ownership(*, actor: User, clean: dict, customer: Customer | None) -> None:
    """Who may own the record: OWN-scoped roles own what they create and cannot hand it away;
    TEAM-scoped managers assign within their team; ALL-scoped roles assign freely."""
    scope = policy_for(actor).write
    owner = clean.get("owner", customer.owner if customer else None)
    changing = "owner" in clean or "team" in clean
    if scope is Scope.OWN:
        if changing and (clean.get("owner") not in (None, actor)):
            raise PermissionDenied("You can only own customers yourself.", code="owner_forbidden")
        clean["owner"], clean["team"] = actor, actor.team
        return
    if customer is None and owner is None and scope is Scope.TEAM:
        owner = clean["owner"] = actor
    if scope is Scope.TEAM and isinstance(owner, User) and owner.team_id != actor.team_id:
        raise PermissionDenied("The owner must be in your team.", code="owner_forbidden")
    if isinstance(owner, User) and "team" not in clean and (customer is None or "owner" in clean):
        clean["team"] = owner.team
    if customer is None and clean.get("team") is None:
        clean["team"] = actor.team


def _set_tags(customer: Customer, names: list[str]) -> None:
    names = sorted({normalize.to_simplified(n)[:30] for n in names if n and n.strip()})
    if len(names) > MAX_TAGS:
        raise ValidationFailed(fields={"tags": f"at most {MAX_TAGS} tags"})
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name] = Tag.objects.create(name=name)
    customer.tags.set(existing.values())


@transaction.atomic
def customer_create(*, actor: User, data: dict, tags: list[str] | None = None) -> Customer:
    """Create a customer with normalised contact data and derived search keys; audited as `actor`."""
    if policy_for(actor).write is Scope.NONE:
        raise PermissionDenied("Your role cannot create customers.")
    clean = clean_customer_fields(data, partial=False)
    _apply_ownership(actor=actor, clean=clean, customer=None)
    customer = Customer(code=f"tmp-{uuid.uuid4().hex[:15]}", **clean)
    refresh_name_keys(customer)
    # The customer number follows the primary key so it is unique without a lock; the audit
    # row is written once the number is known.
    customer.skip_history_when_saving = True
    customer.save()
    del customer.skip_history_when_saving
    customer.code = f"C{customer.pk:09d}"
    Customer.objects.filter(pk=customer.pk).update(code=customer.code)
    Customer.history.bulk_history_create([customer], default_user=actor)
    if tags:
        _set_tags(customer, tags)
    return customer


@transaction.atomic
def customer_update(
    *, actor: User, customer: Customer, data: dict, tags: list[str] | None = None,
    expected_updated_at=None,
) -> Customer:
    """Change the given fields. `expected_updated_at` guards against overwriting a newer edit."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_deleted:
        raise Conflict("This customer has been deleted.", code="deleted")
    if expected_updated_at and customer.updated_at != expected_updated_at:
        raise Conflict("Someone else changed this customer; reload and try again.", code="stale")
    clean = clean_customer_fields(data, partial=True)
    if "owner" in clean or "team" in clean:
        _apply_ownership(actor=actor, clean=clean, customer=customer)
    for field, value in clean.items():
        setattr(customer, field, value)
    refresh_name_keys(customer)
    customer._history_user = actor
    customer.save()
    if tags is not None:
        _set_tags(customer, tags)
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> Customer:
    """Soft delete: the record leaves every list but keeps its history and related records."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_deleted:
        raise Conflict("This customer is already deleted.", code="already_deleted")
    customer.deleted_at = timezone.now()
    customer._history_user = actor
    customer._change_reason = "deleted"
    customer.save(update_fields=["deleted_at", "updated_at"])
    return customer
