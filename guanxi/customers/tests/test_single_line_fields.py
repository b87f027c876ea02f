"""Single-line fields refuse control characters (one shared rule, core.validators) in the API, the
forms, the services and the import; notes keep their newlines."""

import json

import pytest
from django.test import Client

from guanxi.accounts.services import api_token_create
from guanxi.core.errors import ValidationFailed
from guanxi.core.validators import control_character_error
from guanxi.customers.importing.rows import Actor, Lookups, RowValidator
from guanxi.customers.models import Customer
from guanxi.customers.services import address_add, contact_add

from .factories import make_customer

pytestmark = pytest.mark.django_db
BAD = ["张\n三", "张\r三", "张\t三", "张\x0b三", "张\x85三", "张\u2028三", "张\x1b[31m三"]


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_rule():
    assert all(control_character_error(v) for v in BAD)
    assert control_character_error("张三 Zhang-San (北京)") is None
    assert control_character_error("第一行\n第二行\t完", multiline=True) is None
    assert control_character_error("a\x00b", multiline=True)


@pytest.mark.parametrize("name", BAD)
def test_the_api_refuses_a_name_with_a_control_character(admin, name):
    response = api(admin).post("/api/v1/customers", content_type="application/json",
                               data=json.dumps({"kind": "individual", "name": name}))
    assert response.status_code == 422 and set(response.json()) == {"code", "message", "fields"}
    assert not Customer.objects.exists()


def test_services_and_forms_refuse_them_and_notes_keep_newlines(admin, client):
    with pytest.raises(ValidationFailed) as refused:
        make_customer(admin, name="张三", occupation="工程师\n经理")
    assert "occupation" in refused.value.fields
    customer = make_customer(admin, name="张三", notes="第一行\n第二行")
    assert customer.notes == "第一行\n第二行"
    with pytest.raises(ValidationFailed):
        contact_add(actor=admin, customer=customer, name="李\n四")
    with pytest.raises(ValidationFailed):
        address_add(actor=admin, customer=customer, kind="home", province="北京市", street="长安街\n1号")
    client.force_login(admin)
    response = client.post("/customers/new/", {"kind": "individual", "name": "王\n五", "lifecycle_stage": "prospect",
                                               "source": "call_center", "arpu": "0", "balance": "0",
                                               "credit_limit": "0", "overdue_count": "0"})
    assert response.status_code in (200, 422) and not Customer.objects.filter(name__startswith="王").exists()


def test_the_import_refuses_them_too(admin):
    validator = RowValidator(actor=Actor.of(admin), lookups=Lookups({}, {}))
    for name in BAD:
        valid, errors = validator.validate({"kind": "individual", "name": name})
        assert valid is None and ("name", "control") in [(f, c) for f, c, _ in errors]
    valid, errors = validator.validate({"kind": "individual", "name": "张三", "notes": "第一行\n第二行"})
    assert valid is not None and errors == []
