"""Pages of the duplicate queue, the comparison, the merge history and the undo."""

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Contact, Customer, CustomerMerge, DedupeScan, MatchCandidate
from guanxi.customers.services import contact_add
from guanxi.customers.services.merging import customer_merge

from ..factories import make_customer, pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(role=Role.SERVICE_MANAGER)


@pytest.fixture
def two(manager):
    older = make_customer(manager, name="郑爽", mobile="13800138000", occupation="教师", email="")
    newer = make_customer(manager, name="郑 爽", mobile="13900139000", occupation="", email="zs@example.com")
    return older, newer


def login(client, user):
    client.force_login(user)
    return client


def test_queue_lists_pairs_for_managers_only(client, manager, two):
    candidate = pair(*two)
    body = login(client, manager).get(reverse("customers:duplicates")).content.decode()
    assert "重复客户" in body and f"gx-pair-{candidate.pk}" in body and "手机号相同" in body
    assert "97%" in body
    nav = body[body.index("<nav"):]
    assert reverse("customers:duplicates") in nav

    agent = UserFactory(role=Role.AGENT)
    assert login(client, agent).get(reverse("customers:duplicates")).status_code == 403
    assert reverse("customers:duplicates") not in login(client, agent).get("/").content.decode()


def test_compare_prefills_by_the_rules_and_merges_with_the_users_choice(client, manager, two):
    older, newer = two
    contact = contact_add(actor=manager, customer=newer, name="郑先生")
    candidate = pair(older, newer)
    client = login(client, manager)
    url = reverse("customers:duplicate_compare", args=[candidate.pk])

    page = client.get(url).content.decode()
    # The more complete record (with an e-mail) is proposed as the one to keep; the other's occupation fills its gap.
    assert f'value="{newer.pk}" id="gx-survivor-right" checked' in page
    assert f'value="{older.pk}" id="gx-survivor-left" checked' not in page
    assert 'name="f_occupation" value="left" id="f_occupation_left" checked' in page
    assert 'name="f_email" value="right" id="f_email_right" checked' in page

    # The user keeps the older record instead, and the newer record's spelling of the name.
    response = client.post(url, {"survivor": older.pk, "f_name": "right", "f_occupation": "left", "f_email": "right",
                                 "f_mobile": "left"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("customers:detail", args=[older.pk]) + "#merges"
    older.refresh_from_db()
    assert (older.name, older.email, older.mobile) == ("郑 爽", "zs@example.com", "+8613800138000")
    assert Contact.objects.get(pk=contact.pk).customer_id == older.pk
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "merged"

    # The merged record's page says where it went; the survivor's page shows the merge with an undo button.
    merged_page = client.get(reverse("customers:detail", args=[newer.pk])).content.decode()
    assert 'id="gx-merged-banner"' in merged_page and older.code in merged_page
    assert 'id="gx-edit"' not in merged_page
    history = client.get(reverse("customers:merge_history", args=[older.pk])).content.decode()
    assert "合并历史" in history and "gx-undo-merge" in history and newer.code in history
    # Merging again shows the refusal on the page.
    again = client.post(url, {"survivor": older.pk}).content.decode()
    assert 'id="gx-merge-error"' in again and "这对记录已经处理过了" in again


def test_undo_from_the_customer_page(client, manager, two):
    older, newer = two
    merge = customer_merge(survivor=older, merged=newer, actor=manager)
    client = login(client, manager)
    response = client.post(reverse("customers:merge_undo", args=[merge.pk]), {"back": older.pk})
    assert response.status_code == 302 and response["Location"] == reverse("customers:detail", args=[older.pk])
    merge.refresh_from_db()
    assert merge.undone_by == manager
    assert Customer.objects.get(pk=newer.pk).deleted_at is None
    history = client.get(reverse("customers:merge_history", args=[older.pk])).content.decode()
    assert "gx-undo-merge" not in history and "撤销" in history
    # A second undo is refused with a message, nothing changes.
    client.post(reverse("customers:merge_undo", args=[merge.pk]))
    assert CustomerMerge.objects.get().undone_at == merge.undone_at


def test_agents_cannot_merge_dismiss_or_undo_through_pages(client, manager, two):
    older, newer = two
    candidate = pair(older, newer)
    client = login(client, UserFactory(role=Role.AGENT))
    url = reverse("customers:duplicate_compare", args=[candidate.pk])
    assert client.post(url, {"survivor": older.pk}).status_code == 403
    assert client.post(reverse("customers:duplicate_dismiss", args=[candidate.pk])).status_code == 403
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "pending"
    assert Customer.objects.get(pk=newer.pk).merged_into_id is None

    merge = customer_merge(survivor=older, merged=newer, actor=manager)
    history = client.get(reverse("customers:merge_history", args=[older.pk])).content.decode()
    assert "gx-undo-merge" not in history
    assert client.post(reverse("customers:merge_undo", args=[merge.pk])).status_code == 403
    assert CustomerMerge.objects.get().undone_at is None


def test_dismiss_from_the_queue_removes_the_row(client, manager, two):
    candidate = pair(*two)
    response = login(client, manager).post(reverse("customers:duplicate_dismiss", args=[candidate.pk]),
                                           {"from": "list"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "dismissed"


def test_scan_button_queues_a_scan_and_status_polls(client, manager, django_capture_on_commit_callbacks):
    client = login(client, manager)
    with django_capture_on_commit_callbacks(execute=False):
        fragment = client.post(reverse("customers:dedupe_scan_start"), HTTP_HX_REQUEST="true").content.decode()
    scan = DedupeScan.objects.get()
    assert scan.requested_by == manager and scan.status == "queued"
    assert 'hx-trigger="every 2s"' in fragment
    DedupeScan.objects.filter(pk=scan.pk).update(status="done", progress=100, candidates_found=3)
    finished = client.get(reverse("customers:dedupe_scan_status") + "?active=1")
    assert finished["HX-Refresh"] == "true" and "every 2s" not in finished.content.decode()
    # Sales managers review their team's pairs but do not run scans.
    sales = login(client, UserFactory(role=Role.SALES_MANAGER))
    assert 'id="gx-scan-start"' not in sales.get(reverse("customers:duplicates")).content.decode()


@pytest.mark.parametrize(("error", "shown", "detail"), [
    ("interrupted: its process ended", "已中断：执行它的进程已结束", None),
    ("abandoned (no progress for hours)", "已放弃（数小时没有进展）", None),
    ("OperationalError: server closed the connection", "运行因意外错误而停止", "OperationalError: server closed"),
])
def test_a_failed_scan_says_why_in_chinese_with_an_exception_only_behind_technical_details(
        client, manager, error, shown, detail):
    DedupeScan.objects.create(status="failed", error=error, requested_by=manager)
    page = login(client, manager).get(reverse("customers:dedupe_scan_status"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert shown in text
    if detail:
        details = text[text.index("<details"):text.index("</details>")]
        assert "技术细节" in details and detail in details
    else:
        assert "<details" not in text and error not in text
