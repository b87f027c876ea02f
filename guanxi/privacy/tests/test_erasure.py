import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.customers.models import Customer
from guanxi.orders.models import Order, Payment
from guanxi.privacy.models import DataRequest
from guanxi.privacy.services import erasure_execute, erasure_request, erasure_review
from guanxi.surveys.models import Answer

from .world import MOBILE, NAME, TRACES, person_world, traces_of

pytestmark = pytest.mark.django_db


def _approved(world) -> DataRequest:
    request = erasure_request(actor=world["admin"], customer=world["person"], note=f"本人来电要求删除 {MOBILE}")
    return erasure_review(actor=world["admin"], request=request, approve=True)


def test_erasure_leaves_no_trace_of_the_person_in_any_table():
    world = person_world()
    search_keys = (world["person"].name_pinyin, world["person"].name_initials)
    before = traces_of([NAME, MOBILE, *search_keys])
    assert {"customers_customer.name", "customers_customer.name_pinyin", "customers_interaction.content",
            "servicedesk_ticketmessage.body", "marketing_lead.mobile"} <= set(before)  # the scan finds them
    request = erasure_execute(actor=world["admin"], request=_approved(world))
    assert request.status == DataRequest.Status.EXECUTED
    assert traces_of([*TRACES, *search_keys]) == {}
    assert request.result["customers"] == [world["person"].pk]  # the audit's reference id


def test_erasure_keeps_the_business_figures():
    world = person_world()
    answers = list(Answer.objects.order_by("pk").values_list("score", flat=True))
    erasure_execute(actor=world["admin"], request=_approved(world))
    person = Customer.objects.get(pk=world["person"].pk)
    assert person.name == f"匿名客户{person.pk}" and person.mobile == "" and person.arpu == 88
    order = Order.objects.get(pk=world["order"].pk)
    assert (order.total, order.received, order.outstanding) == (1000, 1000, 0)
    assert Payment.objects.get(customer=person).amount == 1000
    assert list(Answer.objects.order_by("pk").values_list("score", flat=True)) == answers
    assert person.tickets.count() == 1


def test_erasure_is_idempotent():
    world = person_world()
    request = erasure_execute(actor=world["admin"], request=_approved(world))
    again = erasure_execute(actor=world["admin"], request=request)
    assert (again.status, again.executed_at, again.result) == (request.status, request.executed_at, request.result)


def test_an_unpaid_receivable_holds_the_erasure_with_its_reason():
    from guanxi.catalog.models import Product
    from guanxi.orders.tests.factories import order as make_order

    world = person_world()
    make_order(world["admin"], world["person"], Product.objects.get(), quantity=1)
    request = erasure_request(actor=world["admin"], customer=world["person"])
    with pytest.raises(Conflict) as refused:
        erasure_review(actor=world["admin"], request=request, approve=True)
    assert refused.value.code == "legal_hold"
    assert set(refused.value.fields) == {"receivable"}
    assert DataRequest.objects.get(pk=request.pk).status == DataRequest.Status.REQUESTED
    assert Customer.objects.get(pk=world["person"].pk).name == NAME


def test_an_open_fault_case_holds_the_execution():
    from guanxi.servicedesk.services.tickets import ticket_create

    world = person_world()
    request = _approved(world)
    ticket_create(
        actor=world["admin"],
        customer=world["person"],
        data={"subject": "手机无法开机", "type": "fault", "channel": "hotline"},
    )
    with pytest.raises(Conflict) as refused:
        erasure_execute(actor=world["admin"], request=request)
    assert set(refused.value.fields) == {"warranty"}
    assert Customer.objects.get(pk=world["person"].pk).mobile.endswith(MOBILE)


def test_only_an_approved_request_runs_and_only_the_privacy_officer_may():
    from guanxi.accounts.tests.factories import UserFactory

    world = person_world()
    request = erasure_request(actor=world["admin"], customer=world["person"])
    with pytest.raises(Conflict):
        erasure_execute(actor=SYSTEM, request=request)
    with pytest.raises(PermissionDenied):
        erasure_review(actor=UserFactory(role="sales_manager"), request=request, approve=True)
    with pytest.raises(Conflict):
        erasure_request(actor=world["admin"], customer=world["person"])


def test_erasure_deletes_the_person_s_files_after_commit_and_records_them(settings, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guanxi.servicedesk.models import TicketMessage
    from guanxi.servicedesk.services.tickets import ticket_message_add

    settings.MEDIA_ROOT = str(tmp_path)
    world = person_world()
    upload = SimpleUploadedFile("身份证复印件.pdf", b"%PDF-1.4 scan of the ID card", content_type="application/pdf")
    message = ticket_message_add(actor=world["admin"], ticket=world["case"], kind="note", body="附件",
                                 attachment=upload)
    stored = message.attachment.name
    assert default_storage.exists(stored)
    request = _approved(world)
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure_execute(actor=world["admin"], request=request)
    assert not default_storage.exists(stored)
    assert TicketMessage.objects.get(pk=message.pk).attachment.name == ""
    assert request.result["files_deleted"] == [
        {"model": "servicedesk.TicketMessage", "id": message.pk, "field": "attachment", "file": stored}]
    order = Order.objects.get(pk=world["order"].pk)
    assert (order.total, order.received, order.outstanding) == (1000, 1000, 0)  # the figures stay
