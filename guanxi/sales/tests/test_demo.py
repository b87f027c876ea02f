"""The sales demo: two years of deals for the sellers, every status, realistic histories, quotas."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from guanxi.core import demo
from guanxi.customers.timeline import customer_timeline
from guanxi.marketing.models import Lead
from guanxi.sales.demo.opportunities import sales_demo_load
from guanxi.sales.models import Opportunity, Outlet, Quota, RepAssignment, SalesExpense, StageChange

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_demo_makes_two_years_of_deals_with_quotas(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [sales_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "3", stdout=out)
    assert "opportunities" in out.getvalue()
    now = timezone.now()
    deals = Opportunity.objects.all()
    assert deals.count() >= 40
    assert {"open", "won", "lost"} <= set(deals.values_list("status", flat=True))
    assert not deals.filter(created_at__gt=now).exists() and not deals.filter(closed_at__gt=now).exists()
    assert not deals.filter(created_at__lt=F("customer__created_at")).exists()
    assert not deals.filter(status="lost", reason__isnull=True).exists()
    # win rates differ by channel (direct sales win more often than telesales)
    rates = {row["channel__code"]: row["won"] / row["closed"] for row in deals.exclude(status="open").values(
        "channel__code").annotate(won=Count("id", filter=Q(status="won")), closed=Count("id")) if row["closed"]}
    assert len(rates) >= 3 and max(rates.values()) > min(rates.values())
    # every closed deal passed through the stages, with times in stage
    assert StageChange.objects.filter(seconds_in_previous__gt=0).count() > deals.count()
    assert Quota.objects.filter(user__isnull=False).exists() and Quota.objects.filter(team__isnull=False).exists()
    assert Outlet.objects.exists() and RepAssignment.objects.filter(outlet__isnull=False).exists()
    # partner organisations with their deals and leads, outlets (and so regions) and sales expenses
    assert deals.filter(partner__isnull=False).values("partner_id").distinct().count() >= 4
    assert Lead.objects.filter(partner__isnull=False).values("partner_id").distinct().count() >= 3
    assert not deals.filter(outlet__isnull=True).exists()
    assert SalesExpense.objects.filter(channel__isnull=False).count() > 20
    # representatives' own expense entries over the last months, on their own deals, besides the team figures
    entries = SalesExpense.objects.filter(rep__isnull=False)
    assert entries.values("rep_id").distinct().count() >= 3
    assert entries.values("month").distinct().count() >= 4
    assert len(set(entries.values_list("category", flat=True))) >= 3
    assert not entries.filter(spent_on__gt=timezone.localdate(now)).exists()
    assert not entries.exclude(opportunity__owner_id=F("rep_id")).exists()
    assert not SalesExpense.objects.filter(amount__lte=0).exists()
    # the open pipeline lies mostly ahead
    assert deals.filter(status="open", expected_close_date__gte=timezone.localdate(now)).exists()
    # and the deals are on the customer's 360 timeline
    won = deals.filter(status="won").first()
    assert any(e.kind == "opportunity_won" for e in customer_timeline(customer=won.customer, limit=200))
