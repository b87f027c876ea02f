from django.db import transaction
from django.utils.translation import gettext

from guanxi.accounts.access import user_of
from guanxi.accounts.models import User
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.validators import control_character_error

from .. import normalize, permissions
from ..enums import AddressKind, ContactPointKind
from ..models import Address, Contact, ContactPoint, Customer
from ..regions import province_normalize


def _require_write(actor, customer: Customer) -> None:
    """A customer's profile is the customer: write scope over it (by its owner and team as stored)."""
    current = Customer.objects.filter(pk=customer.pk).only("owner_id", "team_id").first() or customer
    permissions.require_customer(actor, current, "write")


def _single_line(**values: str) -> None:
    """Refuse control characters in single-line fields (core.validators), every bad field named."""
    errors = {name: error for name, value in values.items() if (error := control_character_error(value))}
    if errors:
        raise ValidationFailed(fields=errors)


def _normalized_point(kind: str, value: str) -> str:
    _single_line(value=value)
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(fields={"value": "required"})
    if len(value) > 254:
        raise ValidationFailed(fields={"value": "at most 254 characters"})
    if kind == ContactPointKind.MOBILE:
        phone = normalize.mobile_normalize(value)
        if phone is None:
            raise ValidationFailed(fields={"value": "not a valid mobile number (11 digits starting 13-19)"})
        return phone
    if kind == ContactPointKind.PHONE:
        phone = normalize.phone_normalize(value)
        if phone is None:
            raise ValidationFailed(fields={"value": "not a valid phone number"})
        return phone
    if kind == ContactPointKind.EMAIL:
        email = normalize.email_normalize(value)
        if "@" not in email:
            raise ValidationFailed(fields={"value": "not a valid e-mail address"})
        return email
    if kind not in ContactPointKind.values:
        raise ValidationFailed(fields={"kind": gettext("one of: %(values)s") % {
            "values": ', '.join(ContactPointKind.values)}})
    return value.lower()


@transaction.atomic
def contact_add(*, actor: User, customer: Customer, name: str, title: str = "", department: str = "",
                is_key_person: bool = False, birth_date=None, notes: str = "") -> Contact:
    _require_write(actor, customer)
    _single_line(name=name, title=title, department=department)
    name = normalize.to_simplified(name)
    if not name or len(name) > 50:
        raise ValidationFailed(fields={"name": "required, at most 50 characters"})
    if "<" in name or ">" in name:
        raise ValidationFailed(fields={"name": "must not contain < or > (markup)"})
    contact = Contact(customer=customer, name=name, title=title[:50], department=department[:50],
                      is_key_person=is_key_person, birth_date=birth_date, notes=notes[:500])
    contact._history_user = user_of(actor)
    contact.save()
    return contact


@transaction.atomic
def contact_point_add(*, actor: User, customer: Customer, kind: str, value: str, label: str = "",
                      contact: Contact | None = None, is_primary: bool = False) -> ContactPoint:
    """Add a phone, e-mail or handle; search finds the customer by it at once (exact match)."""
    _require_write(actor, customer)
    _single_line(label=label)
    normalized = _normalized_point(kind, value)
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationFailed(fields={"contact": "belongs to another customer"})
    if ContactPoint.objects.filter(customer=customer, kind=kind, normalized=normalized).exists():
        raise ValidationFailed(fields={"value": "this customer already has it"})
    point = ContactPoint(customer=customer, contact=contact, kind=kind, value=value.strip(),
                         normalized=normalized, label=label[:30], is_primary=is_primary)
    point._history_user = user_of(actor)
    point.save()
    return point


def _remove(actor, customer: Customer, model, pk: int) -> None:
    """Delete one row of the customer's profile (404 when it is not the customer's), audited as `actor`."""
    _require_write(actor, customer)
    row = model.objects.filter(customer=customer, pk=pk).first()
    if row is None:
        raise NotFound()
    row._history_user = user_of(actor)
    row.delete()


@transaction.atomic
def contact_point_remove(*, actor: User, customer: Customer, point_id: int) -> None:
    _remove(actor, customer, ContactPoint, point_id)


@transaction.atomic
def address_add(*, actor: User, customer: Customer, kind: str, province: str, city: str = "",
                district: str = "", street: str = "", postcode: str = "",
                is_default: bool = False) -> Address:
    _require_write(actor, customer)
    _single_line(province=province, city=city, district=district, street=street, postcode=postcode)
    errors = {}
    full_province = province_normalize(province)
    if full_province is None:
        errors["province"] = "not a province of China"
    if kind not in AddressKind.values:
        errors["kind"] = f"one of: {', '.join(AddressKind.values)}"
    if postcode and not (postcode.isdigit() and len(postcode) == 6):
        errors["postcode"] = "six digits"
    if len(street) > 200 or len(city) > 30 or len(district) > 30:
        errors["street"] = "too long"
    if errors:
        raise ValidationFailed(fields=errors)
    # Serialises adds to one customer: two first addresses must not both become its default.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if is_default:
        Address.objects.filter(customer=customer, is_default=True).update(is_default=False)
    address = Address(customer=customer, kind=kind, province=full_province, city=city.strip(),
                      district=district.strip(), street=street.strip(), postcode=postcode,
                      is_default=is_default or not customer.addresses.exists())
    address._history_user = user_of(actor)
    address.save()
    return address


@transaction.atomic
def address_remove(*, actor: User, customer: Customer, address_id: int) -> None:
    _remove(actor, customer, Address, address_id)
