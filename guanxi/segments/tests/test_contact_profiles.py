"""The contact-profile snapshot on a real database: counts over the window, bands, main channel, who may
refresh it (the sampling frame read from it: guanxi/surveys/tests/sampling/test_frame.py)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied
from guanxi.customers.models import Interaction
from guanxi.segments.contact import DEFAULT_BANDS, ContactBands
from guanxi.segments.models import ContactProfile
from guanxi.segments.services import contact_profiles_refresh

from .factories import make_customer

TZ = timezone.get_default_timezone()
AS_OF = dt.datetime(2026, 6, 30, 12, 0, tzinfo=TZ)


def contacts(customer, channel, count, *, days_ago=10):
    Interaction.objects.bulk_create(
        Interaction(customer=customer, channel=channel, occurred_at=AS_OF - dt.timedelta(days=days_ago, minutes=i))
        for i in range(count))


@pytest.fixture
def history(admin):
    """A calls 13 times (very often) and visits the web twice; B calls twice and writes 3 e-mails (main
    channel e-mail, rarely); C called only 400 days ago (never); D is deleted."""
    a, b, c, d = (make_customer(admin, name=n) for n in ("甲", "乙", "丙", "丁"))
    contacts(a, "call", 13)
    contacts(a, "web", 2)
    contacts(b, "call", 2)
    contacts(b, "email", 3)
    contacts(c, "call", 5, days_ago=400)
    contacts(c, "call", 1, days_ago=-1)  # after the window's end
    d.deleted_at = AS_OF
    d.save(update_fields=["deleted_at"])
    return a, b, c, d


@pytest.mark.django_db
def test_refresh_counts_each_customer_over_the_window(history):
    a, b, c, _ = history
    done = contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    profiles = {p.customer_id: p for p in ContactProfile.objects.all()}
    assert done.rows == 3 and set(profiles) == {a.pk, b.pk, c.pk}
    assert (profiles[a.pk].call_center_contacts, profiles[a.pk].contacts) == (13, 15)
    assert (profiles[a.pk].frequency, profiles[a.pk].main_channel) == ("very_often", "call")
    assert (profiles[b.pk].frequency, profiles[b.pk].main_channel, profiles[b.pk].contacts) == ("rarely", "email", 5)
    assert (profiles[c.pk].frequency, profiles[c.pk].main_channel, profiles[c.pk].contacts) == ("never", "", 0)
    assert ContactProfile.objects.get(customer=a).window_end == AS_OF


@pytest.mark.django_db
def test_refresh_replaces_the_previous_profiles(history):
    a, *_ = history
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF + dt.timedelta(days=365))
    assert ContactProfile.objects.count() == 3
    assert ContactProfile.objects.get(customer=a).frequency == "never"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.SALES_REP, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_roles_that_do_not_run_value_cannot_refresh(history, role):
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        contact_profiles_refresh(actor=UserFactory(role=role), as_of=AS_OF + dt.timedelta(days=365))
    assert ContactProfile.objects.filter(frequency="very_often").count() == 1


@pytest.mark.django_db
def test_analysts_refresh(history):
    assert contact_profiles_refresh(actor=UserFactory(role=Role.ANALYST), as_of=AS_OF).rows == 3


@given(st.integers(min_value=0, max_value=10_000))
def test_band_follows_the_floors(count):
    floors = [floor for _, floor in DEFAULT_BANDS.floors]
    expected = DEFAULT_BANDS.floors[sum(count >= f for f in floors) - 1][0]
    assert DEFAULT_BANDS.band(count) == expected


@pytest.mark.parametrize("floors", [(("never", 1),), (("never", 0), ("often", 0)), ()])
def test_bands_refuse_floors_that_leave_gaps(floors):
    with pytest.raises(ValueError):
        ContactBands(floors=floors)
