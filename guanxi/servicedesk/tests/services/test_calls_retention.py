import datetime as dt

import pytest
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Interaction
from guanxi.customers.services.retention import history_retention_run
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Call

pytestmark = pytest.mark.django_db


def test_retention_clears_the_call_centers_link_to_a_deleted_contact():
    customer = make_customer(UserFactory(role=Role.ADMIN), name="王五")
    now = timezone.now()
    old = Interaction.objects.create(customer=customer, channel="call", occurred_at=now - dt.timedelta(days=1500))
    recent = Interaction.objects.create(customer=customer, channel="call", occurred_at=now - dt.timedelta(days=3))
    gone = Call.objects.create(call_id="c-1", started_at=old.occurred_at, customer=customer, interaction=old)
    kept = Call.objects.create(call_id="c-2", started_at=recent.occurred_at, customer=customer, interaction=recent)
    history_retention_run(actor=SYSTEM, apply=True, now=now)
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.interaction_id is None and kept.interaction_id == recent.pk
    assert list(Interaction.objects.all()) == [recent]
