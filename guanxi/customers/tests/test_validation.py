"""One validation of a customer's fields: the form, the API and the import give the same reason for
the same bad value, in the reader's language."""

import datetime

import pytest
from django.utils import translation

from guanxi.core.testing import client_for, post_json
from guanxi.customers.forms.customers import CustomerForm
from guanxi.customers.importing.rows import Actor, Lookups, RowValidator
from guanxi.customers.models import Customer
from guanxi.customers.validation import message_text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BAD = [
    ({"id_type": "resident_id", "id_number": "110105194912310021"}, "id_number", "id_checksum"),
    ({"email": "a@b"}, "email", "email"),
    ({"name": "<b>张三</b>"}, "name", "markup"),
    ({"mobile": "12"}, "mobile", "phone"),
    ({"birth_date": "2099-01-01"}, "birth_date", "date_range"),
]


@pytest.mark.parametrize(("values", "field", "code"), BAD)
def test_the_form_the_api_and_the_import_refuse_alike(admin, values, field, code):
    row = {"kind": "individual", "name": "张三", **values}
    expected = message_text(code)

    _, errors = RowValidator(actor=Actor.of(admin), lookups=Lookups({}, {}),
                             today=datetime.date.today()).validate(row)
    assert (field, code) in [(f, c) for f, c, _ in errors]

    api = post_json(client_for(admin), "/api/v1/customers", row, **EN)
    assert api.status_code == 422 and api.json()["fields"][field] == expected

    with translation.override("en"):
        form = CustomerForm({"lifecycle_stage": "prospect", "source": "call_center", **row}, user=admin)
        assert not form.is_valid() and expected in form.errors[field]
    assert not Customer.objects.exists()


def test_reasons_are_given_in_the_readers_language(admin):
    response = post_json(client_for(admin), "/api/v1/customers", {"kind": "individual", "name": "张三", "email": "a@b"})
    assert response.json()["fields"]["email"] == "不是有效的电子邮箱地址"
