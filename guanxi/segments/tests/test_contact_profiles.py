"""The contact-profile snapshot on a real database: counts over the window, bands, main channel, who may
refresh it, and the survey sampling frame read from it or from the history directly."""

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
from guanxi.surveys.sampling import LIVE, SNAPSHOT, sampling_frame, snapshot_as_of

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
    assert snapshot_as_of() == AS_OF


@pytest.mark.django_db
def test_refresh_replaces_the_previous_profiles(history):
    a, *_ = history
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF + dt.timedelta(days=365))
    assert ContactProfile.objects.count() == 3
    assert ContactProfile.objects.get(customer=a).frequency == "never"


@pytest.mark.django_db
def test_snapshot_and_live_frames_agree(history):
    a, b, c, _ = history
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    snapshot = sampling_frame(source=SNAPSHOT).sort_values("customer_id").reset_index(drop=True)
    live = sampling_frame(source=LIVE, as_of=AS_OF).sort_values("customer_id").reset_index(drop=True)
    assert snapshot.to_dict("records") == live.to_dict("records")
    assert snapshot["customer_id"].tolist() == [a.pk, b.pk, c.pk]
    assert snapshot["contact_frequency"].tolist() == ["very_often", "rarely", "never"]
    assert snapshot["main_channel"].tolist() == ["call", "email", ""]


@pytest.mark.django_db
def test_customers_without_a_profile_count_as_never(admin):
    make_customer(admin, name="新")
    frame = sampling_frame()
    assert frame[["contact_frequency", "main_channel"]].values.tolist() == [["never", ""]]


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


@pytest.mark.django_db
def test_snapshot_frame_reads_customers_changed_since_the_refresh(history, admin, time_machine):
    a, b, c, _ = history
    time_machine.move_to(AS_OF)
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    time_machine.move_to(AS_OF + dt.timedelta(hours=1))
    from guanxi.customers.services import customer_delete

    customer_delete(actor=admin, customer=b)
    a.arpu = 250
    a.save(update_fields=["arpu", "updated_at"])
    e = make_customer(admin, name="戊")
    frame = sampling_frame().set_index("customer_id")
    assert sorted(frame.index) == [a.pk, c.pk, e.pk]
    assert frame.loc[a.pk, "arpu"] == 250.0 and frame.loc[a.pk, "contact_frequency"] == "very_often"
    assert (frame.loc[e.pk, "contact_frequency"], frame.loc[e.pk, "main_channel"]) == ("never", "")
