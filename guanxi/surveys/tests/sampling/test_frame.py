"""The sampling frame query on a real database: from the contact profiles (with customers changed since
the refresh read live) or aggregating the history directly."""

import datetime as dt

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.customers.services import customer_delete
from guanxi.segments.services import contact_profiles_refresh
from guanxi.segments.tests.factories import make_customer
from guanxi.segments.tests.test_contact_profiles import AS_OF
from guanxi.surveys.sampling import LIVE, SNAPSHOT, SamplingPlan, sampling_frame, snapshot_as_of, stratified_sample


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
def test_snapshot_frame_reads_customers_changed_since_the_refresh(history, admin, time_machine):
    a, b, c, _ = history
    time_machine.move_to(AS_OF)
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    time_machine.move_to(AS_OF + dt.timedelta(hours=1))
    customer_delete(actor=admin, customer=b)
    a.arpu = 250
    a.save(update_fields=["arpu", "updated_at"])
    e = make_customer(admin, name="戊")
    frame = sampling_frame().set_index("customer_id")
    assert sorted(frame.index) == [a.pk, c.pk, e.pk]
    assert frame.loc[a.pk, "arpu"] == 250.0 and frame.loc[a.pk, "contact_frequency"] == "very_often"
    assert (frame.loc[e.pk, "contact_frequency"], frame.loc[e.pk, "main_channel"]) == ("never", "")


@pytest.mark.django_db
def test_a_sample_drawn_from_the_database_frame(history):
    a, b, c, _ = history
    contact_profiles_refresh(actor=SYSTEM, as_of=AS_OF)
    assert snapshot_as_of() == AS_OF
    result = stratified_sample(sampling_frame(), SamplingPlan(size=2, seed=1, dimensions=("contact_frequency",)),
                               opted_out={a.pk})
    assert sorted(result.customer_ids) == [b.pk, c.pk]
