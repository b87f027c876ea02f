import datetime as dt
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db.models import F
from django.db.models.functions import TruncDate

from guanxi.accounts.demo import DEMO_PASSWORD
from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.core import demo
from guanxi.customers import normalize
from guanxi.customers.demo import customers as demo_customers
from guanxi.customers.enums import CustomerKind, IdType
from guanxi.customers.models import Address, Contact, ContactPoint, Customer, Holding, Interaction, Transaction
from guanxi.customers.regions import PROVINCES
from guanxi.customers.selectors.customers import CustomerFilter, customer_list

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def run_demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def customers_only(monkeypatch):
    """Only this app's demo steps: the other apps' demo data is tested in their own test_demo.py (and the
    deliberate duplicates in test_dedupe_demo.py)."""
    monkeypatch.setattr(demo, "DEMO_STEPS", [s for s in demo.loaded_demo_steps()
                                             if s.__module__.startswith("guanxi.customers.")
                                             and s.__module__ != "guanxi.customers.demo.dedupe"])


NOW = dt.datetime(2026, 12, 4, 2, 30, tzinfo=dt.UTC)


@pytest.fixture
def loaded(customers_only):
    with time_machine.travel(NOW, tick=True):
        yield run_demo("--customers", "200", "--seed", "7")


def test_demo_creates_staff_in_every_role_who_can_sign_in(loaded):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_administrator and admin.check_password(DEMO_PASSWORD)
    assert all(u.team_id for u in User.objects.all())
    assert "admin" in loaded and DEMO_PASSWORD in loaded and "partner" in loaded


def test_demo_customers_are_valid_by_the_service_rules(loaded):
    customers = list(Customer.objects.all())
    assert len(customers) == 200
    assert {c.kind for c in customers} == set(CustomerKind.values)
    assert len({c.lifecycle_stage for c in customers}) >= 5
    for c in customers:
        assert c.code == f"C{c.pk:09d}"
        assert normalize.phone_is_valid(c.mobile)
        assert c.name_pinyin == normalize.name_pinyin(c.name)
        if c.id_type == IdType.RESIDENT_ID:
            assert normalize.resident_id_is_valid(c.id_number)
    assert len({c.mobile for c in customers}) == 200
    assert set(Address.objects.values_list("province", flat=True)) <= set(PROVINCES)
    assert all(normalize.phone_is_valid(p.value) for p in ContactPoint.objects.filter(kind__in=["mobile", "phone"]))
    assert Holding.objects.filter(is_competitor=True).exists()
    assert Contact.objects.filter(is_key_person=True).exists()
    assert Customer.tags.through.objects.exists()


def test_demo_ownership_follows_roles(loaded):
    owned = Customer.objects.exclude(owner=None).select_related("owner")
    assert all(c.team_id == c.owner.team_id for c in owned)
    owner_roles = set(owned.values_list("owner__role", flat=True))
    assert {Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.PARTNER} <= owner_roles
    assert Customer.objects.filter(owner=None, team__kind="service").exists()
    rep = User.objects.get(username="sales_east1")
    assert customer_list(user=rep).count() == Customer.objects.filter(owner=rep).count() > 0


def test_demo_customers_are_searchable_and_audited(loaded):
    admin = User.objects.get(username="admin")
    customer = Customer.objects.filter(kind=CustomerKind.INDIVIDUAL).order_by("id")[5]
    for query in (customer.name, customer.name_pinyin, customer.mobile.removeprefix("+86"), customer.code):
        assert customer in customer_list(user=admin, filters=CustomerFilter(query=query))
    point = ContactPoint.objects.filter(kind="mobile").first()
    assert point.customer in customer_list(user=admin, filters=CustomerFilter(query=point.value))
    entry = customer.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", admin, "demo data")


def test_if_empty_does_nothing_when_customers_exist(loaded):
    counts = (Customer.objects.count(), User.objects.count(), Team.objects.count())
    output = run_demo("--if-empty", "--customers", "50")
    assert "not loaded" in output
    assert (Customer.objects.count(), User.objects.count(), Team.objects.count()) == counts


def test_demo_records_interactions_on_every_channel(loaded):
    interactions = Interaction.objects.all()
    assert 400 <= interactions.count() <= 800
    assert set(interactions.values_list("channel", flat=True)) == {
        "call", "visit", "outlet", "email", "sms", "wechat", "web"}
    assert interactions.filter(staff__isnull=False, team__isnull=False).exists()
    assert not interactions.filter(customer__kind=CustomerKind.INDIVIDUAL, channel="visit").exists()
    assert "interactions" in loaded


def test_register_demo_step_keeps_order_and_ignores_repeats(monkeypatch):
    def first(**kwargs):
        return ""

    def second(**kwargs):
        return ""

    monkeypatch.setattr(demo, "DEMO_STEPS", [first])
    demo.register_demo_step(second)
    demo.register_demo_step(first)
    assert [first, second] == demo.DEMO_STEPS


def test_demo_is_deterministic_for_a_seed(customers_only):
    def load():
        with time_machine.travel(NOW, tick=False):
            run_demo("--customers", "30", "--seed", "3")
        return list(Customer.objects.order_by("id").values_list("name", "mobile", "id_number", "arpu", "created_at"))

    first = load()
    Interaction.objects.all().delete()
    Transaction.objects.all().delete()
    Customer.objects.all().delete()
    assert load() == first


def test_the_company_has_customers_of_several_years_and_their_history_follows(loaded):
    # Given a demo generated on NOW: records were created over three years, none in the last hour
    created = sorted(Customer.objects.values_list("created_at", flat=True))
    assert NOW - created[0] > dt.timedelta(days=2 * 365) and NOW - created[0] < dt.timedelta(days=3 * 365 + 1)
    assert NOW - created[-1] > dt.timedelta(hours=1)
    assert len({c.year for c in created}) >= 3
    # the audit trail says when each record was created
    customer = Customer.objects.order_by("created_at").first()
    assert customer.history.get().history_date == customer.created_at
    # no contact or transaction predates its customer, and products were taken since then
    for model in (Interaction, Transaction):
        assert model.objects.exists()
        assert not model.objects.filter(occurred_at__lt=F("customer__created_at")).exists()
    assert not Holding.objects.filter(started_on__lt=TruncDate("customer__created_at")).exists()
    # the list opens on the customers who dealt with the company last, not on the newest records
    admin = User.objects.get(username="admin")
    first_page = list(customer_list(user=admin)[:20])
    assert all(Interaction.objects.filter(customer=c).exists() or Transaction.objects.filter(customer=c).exists()
               for c in first_page)


def _loaded_counts() -> list[int]:
    models = [Customer, User, Interaction]
    models += [apps.get_model(app, name) for app, name in (("servicedesk", "Ticket"), ("warranty", "ProductSale"))
               if apps.is_installed(f"guanxi.{app}")]
    return [m.objects.count() for m in models]


def test_demo_failure_in_a_later_step_leaves_nothing(monkeypatch):
    # The step fails once the steps of every counted app have written their rows (the later ones need not run).
    counted = {"customers", "servicedesk", "warranty"}
    steps = list(demo.DEMO_STEPS)
    last = max(i for i, step in enumerate(steps) if demo.demo_step_app(demo.loaded_step(step)) in counted)
    written = []

    def failing_after_writes(**kwargs):
        written.extend(_loaded_counts())
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "DEMO_STEPS", [*steps[:last + 1], failing_after_writes])
    with pytest.raises(RuntimeError):
        run_demo("--customers", "40")
    assert 0 not in written
    assert set(_loaded_counts()) == {0}


def test_demo_failure_leaves_nothing_half_loaded(monkeypatch):
    real = demo_customers._write_batch
    calls = []

    def failing(drafts, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(drafts, **kwargs)

    monkeypatch.setattr(demo_customers, "_write_batch", failing)
    with pytest.raises(RuntimeError):
        run_demo("--customers", str(demo_customers.BATCH + 10))
    assert Customer.objects.count() == 0
    assert User.objects.count() == 0
