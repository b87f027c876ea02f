"""The demo's promises: kept, broken (with their follow-ups) and open ones, on real demo cases."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.core import demo
from guanxi.servicedesk.demo.commitments import commitment_demo_load
from guanxi.servicedesk.demo.tickets import service_demo_load
from guanxi.servicedesk.models import Commitment

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_demo_makes_kept_broken_and_open_promises(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [service_demo_load, commitment_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "60", "--seed", "3", stdout=out)
    assert "promises kept" in out.getvalue()
    now = timezone.now()
    promises = Commitment.objects.all()
    statuses = set(promises.values_list("status", flat=True))
    assert {"kept", "broken", "open"} <= statuses
    assert not promises.filter(promised_at__gt=now).exists()
    for kept in promises.filter(status="kept"):
        assert kept.promised_at <= kept.closed_at <= kept.due_at
    for broken in promises.filter(status="broken"):
        assert broken.follow_up_to is not None and broken.follow_up_assignment.ticket_id == broken.ticket_id
    assert not promises.filter(status="open", due_at__lte=now).exists()
