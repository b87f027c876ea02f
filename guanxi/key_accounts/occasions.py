"""Key-account celebrations for customer care (大客户关怀): the account's anniversary (of its
founding, for an organisation with a founding date, and of its designation as a key account) and
the birthdays of its key people (关键人生日). Registered as occasion sources of care in `ready()`;
only designated (active) accounts celebrate."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.care.calendar import anniversary_month_days_on
from guanxi.care.occasions import OccasionSource, register_occasion_source
from guanxi.customers.enums import CustomerKind

from .models import KeyAccount, KeyPerson

ACCOUNT_ANNIVERSARY = "account_anniversary"
KEY_PERSON_BIRTHDAY = "key_person_birthday"


def _on(field: str, day: dt.date) -> Q:
    """`field`'s month and day is `day`'s (29 February kept on 28 February in other years), before it."""
    when = Q()
    for month, month_day in anniversary_month_days_on(day):
        when |= Q(**{f"{field}__month": month, f"{field}__day": month_day})
    return when & Q(**{f"{field}__lt": day})


def account_anniversaries(base: QuerySet, day: dt.date) -> QuerySet:
    """Customers with a designated key account founded or designated on `day`'s month and day."""
    designated = KeyAccount.objects.filter(_on("designated_at__date", day), customer=OuterRef("pk"), is_active=True)
    active = KeyAccount.objects.filter(customer=OuterRef("pk"), is_active=True)
    founded = Q(kind=CustomerKind.ORGANISATION) & _on("birth_date", day) & Exists(active)
    return base.filter(Q(Exists(designated)) | founded)


def key_person_birthdays(base: QuerySet, day: dt.date) -> QuerySet:
    """Customers with a designated key account one of whose key people has their birthday on `day`
    (one greeting for the account, however many of them share the day)."""
    people = KeyPerson.objects.filter(_on("contact__birth_date", day), account__customer=OuterRef("pk"),
                                      account__is_active=True)
    return base.filter(Exists(people))


def register_care_occasions() -> None:
    register_occasion_source(OccasionSource(ACCOUNT_ANNIVERSARY, _("Key-account anniversary"), account_anniversaries))
    register_occasion_source(OccasionSource(KEY_PERSON_BIRTHDAY, _("Key person's birthday"), key_person_birthdays))
