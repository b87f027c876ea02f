import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.segments.models import CustomerValueSnapshot
from guanxi.segments.services import value_recompute
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db


def test_service_cases_count_as_the_time_a_customer_takes():
    admin = UserFactory(role=Role.ADMIN)
    demanding, quiet = make_customer(admin, name="甲"), make_customer(admin, name="乙")
    for _ in range(6):
        ticket_create(actor=admin, customer=demanding, data={"subject": "宽带断线", "type": "fault",
                                                             "channel": "hotline"})
    value_recompute(actor=SYSTEM)
    time_scores = dict(CustomerValueSnapshot.objects.values_list("customer_id", "ka_time"))
    assert time_scores[demanding.pk] > time_scores[quiet.pk]
