"""Duplicate scans through the services, the task, the command and the API; possible duplicates on create."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import client_for, post_json
from guanxi.customers import normalize
from guanxi.customers.models import Address, Customer, DedupeModel, DedupeScan, MatchCandidate
from guanxi.customers.selectors.dedupe import customer_possible_duplicates, dedupe_scan_latest, mask_name
from guanxi.customers.services.dedupe import dedupe_scan_create, dedupe_scan_run, dedupe_scan_start
from guanxi.customers.tasks import dedupe_scan

from ..factories import make_customer

pytestmark = pytest.mark.django_db
SCANS = "/api/v1/customers/dedupe/scans"
WANG_ID = "11010519800101123" + normalize.resident_id_check_digit("11010519800101123")


@pytest.fixture
def people(admin):
    """Three customers entered twice in other ways, and a few unrelated ones."""
    made = {
        "zhang": make_customer(admin, name="张伟明", mobile="13812345678", birth_date=datetime.date(1980, 5, 4)),
        "zhang2": make_customer(admin, name="張偉明", mobile="+86 138-1234-5678", email="zwm@qq.com"),
        "li": make_customer(admin, name="李娜", mobile="13900001111", email="lina88@163.com",
                            birth_date=datetime.date(1991, 2, 3)),
        "li2": make_customer(admin, name="Li Na", email="LiNa88@163.COM", birth_date=datetime.date(1991, 2, 3)),
        "wang": make_customer(admin, name="王芳", id_type="resident_id", id_number=WANG_ID,
                              birth_date=datetime.date(1980, 1, 1)),
        "wang2": make_customer(admin, name="王方", id_number="110105800101123"),
    }
    for i, name in enumerate(["赵强", "钱敏", "孙丽", "周杰", "吴静", "郑涛"]):
        made[f"other{i}"] = make_customer(admin, name=name, mobile=f"1370000{i:04d}")
    return made


def run_scan(**kwargs) -> DedupeScan:
    return dedupe_scan_run(actor=SYSTEM, scan=dedupe_scan_create(actor=SYSTEM, **kwargs))


def pairs_of(scan) -> set[tuple[int, int]]:
    return set(MatchCandidate.objects.filter(scan=scan).values_list("left_id", "right_id"))


def pair(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_scan_finds_the_duplicates_and_explains_them_in_chinese(people):
    scan = run_scan()
    assert scan.status == DedupeScan.Status.DONE and scan.progress == 100
    assert scan.total == len(people) and scan.candidates_found == 3
    assert pairs_of(scan) == {pair(people["zhang"], people["zhang2"]), pair(people["li"], people["li2"]),
                              pair(people["wang"], people["wang2"])}
    candidate = MatchCandidate.objects.get(left_id=min(people["zhang"].pk, people["zhang2"].pk))
    assert candidate.status == "pending" and candidate.probability >= 0.8
    labels = {r["label"] for r in candidate.reasons}
    assert "手机号相同" in labels and "姓名相同" in labels
    assert dedupe_scan_latest() == scan
    assert not DedupeModel.objects.exists()  # too few customers to train: the defaults were used


def test_rescan_updates_pending_pairs_keeps_decided_ones_and_drops_stale_ones(people, admin):
    first = run_scan()
    zhang = MatchCandidate.objects.get(left_id=min(people["zhang"].pk, people["zhang2"].pk))
    li = MatchCandidate.objects.get(left_id=min(people["li"].pk, people["li2"].pk))
    zhang.probability, zhang.reasons = 0.81, []
    zhang.save()
    li.status, li.decided_by, li.decided_at, li.probability = "dismissed", admin, timezone.now(), 0.85
    li.save()
    a, b = people["other0"], people["other1"]
    stale = MatchCandidate.objects.create(scan=first, left=min(a, b, key=lambda c: c.pk),
                                          right=max(a, b, key=lambda c: c.pk), probability=0.9, match_weight=3)
    c, d = people["other2"], people["other3"]
    manual = MatchCandidate.objects.create(scan=None, left=min(c, d, key=lambda x: x.pk),
                                           right=max(c, d, key=lambda x: x.pk), probability=0.9, match_weight=3)

    second = run_scan()
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.scan == second and zhang.probability > 0.81 and zhang.reasons
    assert li.status == "dismissed" and li.probability == 0.85 and li.scan == first
    assert not MatchCandidate.objects.filter(pk=stale.pk).exists()
    assert MatchCandidate.objects.filter(pk=manual.pk).exists()
    assert MatchCandidate.objects.count() == 4  # three found pairs + the manual one, each once


def test_pairs_are_stored_once_and_in_order():
    admin = UserFactory(role=Role.ADMIN)
    a, b = make_customer(admin, name="甲"), make_customer(admin, name="乙")
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchCandidate.objects.create(left=b, right=a, probability=0.9, match_weight=1)
    MatchCandidate.objects.create(left=a, right=b, probability=0.9, match_weight=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchCandidate.objects.create(left=a, right=b, probability=0.95, match_weight=2)


def test_deleted_customers_are_not_scanned(people, admin):
    from guanxi.customers.services import customer_delete

    customer_delete(actor=admin, customer=people["li2"])
    scan = run_scan()
    assert scan.total == len(people) - 1
    assert pair(people["li"], people["li2"]) not in pairs_of(scan)


@pytest.mark.parametrize("threshold", [1.5, -0.1, float("nan"), "abc", 0.3])
def test_bad_thresholds_are_refused_and_nothing_is_created(threshold):
    with pytest.raises(ValidationFailed) as exc:
        dedupe_scan_create(actor=SYSTEM, threshold=threshold)
    assert "threshold" in exc.value.fields
    assert not DedupeScan.objects.exists()


def test_auto_merge_threshold_must_be_a_probability_at_or_above_the_review_threshold():
    with pytest.raises(ValidationFailed):
        dedupe_scan_create(actor=SYSTEM, threshold=0.9, auto_merge_threshold=0.85)
    with pytest.raises(ValidationFailed):
        dedupe_scan_create(actor=SYSTEM, auto_merge_threshold=2)
    scan = dedupe_scan_create(actor=SYSTEM, threshold=0.9, auto_merge_threshold=0.99)
    assert (scan.threshold, scan.auto_merge_threshold, scan.status) == (0.9, 0.99, "queued")


def test_defaults_come_from_the_settings(settings):
    settings.DEDUPE_REVIEW_THRESHOLD = 0.7
    settings.DEDUPE_AUTO_MERGE_THRESHOLD = 0.995
    scan = dedupe_scan_create(actor=SYSTEM)
    assert (scan.threshold, scan.auto_merge_threshold) == (0.7, 0.995)


def test_one_scan_at_a_time_unless_the_running_one_is_abandoned():
    first = dedupe_scan_create(actor=SYSTEM)
    with pytest.raises(Conflict):
        dedupe_scan_create(actor=SYSTEM)
    DedupeScan.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    second = dedupe_scan_create(actor=SYSTEM)
    first.refresh_from_db()
    assert first.status == "failed" and second.status == "queued"


def test_a_scan_runs_once(people):
    scan = run_scan()
    with pytest.raises(Conflict):
        dedupe_scan_run(actor=SYSTEM, scan=scan)
    assert dedupe_scan(scan.pk) == "skipped"


def test_a_failing_scan_is_marked_failed_and_writes_nothing(people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("guanxi.customers.linkage.scan.run_linkage", broken)
    scan = run_scan()
    assert scan.status == "failed" and "disk full" in scan.error and scan.finished_at
    assert not MatchCandidate.objects.exists()


def test_only_admins_and_service_managers_start_scans(people, django_capture_on_commit_callbacks):
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.SALES_MANAGER, Role.SALES_REP, Role.ANALYST):
        with pytest.raises(PermissionDenied):
            dedupe_scan_start(actor=UserFactory(role=role))
    assert not DedupeScan.objects.exists()
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        scan = dedupe_scan_start(actor=manager, threshold=0.85)
    scan.refresh_from_db()
    assert scan.requested_by == manager and scan.status == "done" and scan.candidates_found == 3


# --- command ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--threshold", "1.5"], "须在 0 到 1 之间"), (["--threshold", "abc"], "not a number"),
    (["--threshold", "0.9", "--auto-merge-above", "0.5"], "自动合并阈值"),
])
def test_command_refuses_bad_arguments_with_exit_code_2(args, message):
    with pytest.raises(CommandError) as exc:
        call_command("dedupe", "scan", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2 and message in str(exc.value)
    assert not DedupeScan.objects.exists()


def test_command_runs_a_scan(people):
    out = io.StringIO()
    call_command("dedupe", "scan", "--threshold", "0.8", "--json", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue())
    assert summary["status"] == "done" and summary["candidates"] == 3 and summary["records"] == len(people)


# --- API -------------------------------------------------------------------------------------------


def test_api_agents_cannot_start_or_read_scans(people):
    agent = client_for(UserFactory(role=Role.AGENT))
    response = post_json(agent, SCANS, {})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not DedupeScan.objects.exists()
    scan = dedupe_scan_create(actor=SYSTEM)
    assert agent.get(f"{SCANS}/{scan.pk}").status_code == 403


def test_api_starts_a_scan_and_reports_it(people, admin, django_capture_on_commit_callbacks):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, SCANS, {"threshold": 0.8})
    assert response.status_code == 201, response.content
    scan_id = response.json()["id"]
    body = client.get(f"{SCANS}/{scan_id}").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["candidates_found"] == 3
    assert client.get(f"{SCANS}/999999").status_code == 404
    assert post_json(client, SCANS, {}).status_code == 201  # the first one has finished


@pytest.mark.parametrize("body", [{"threshold": 2}, {"threshold": -1}, {"auto_merge_threshold": 1.2},
                                  {"threshold": "x"}])
def test_api_refuses_bad_thresholds(admin, body):
    response = post_json(client_for(admin), SCANS, body)
    assert response.status_code == 422, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert not DedupeScan.objects.exists()


def test_api_refuses_a_second_scan_while_one_is_queued(admin):
    dedupe_scan_create(actor=SYSTEM)
    response = post_json(client_for(admin), SCANS, {})
    assert response.status_code == 409 and response.json()["code"] == "scan_running"


# --- possible duplicates on create ------------------------------------------------------------------


def test_possible_duplicates_are_found_by_shared_keys_and_masked(admin):
    original = make_customer(admin, name="张伟明", mobile="13812345678", birth_date=datetime.date(1980, 5, 4))
    Address.objects.create(customer=original, kind="home", province="广东省", city="广州市", district="天河区")
    make_customer(admin, name="李娜", mobile="13900001111")
    found = customer_possible_duplicates(user=admin, data={"name": "張偉明", "mobile": "+86 138 1234 5678"})
    assert [d.customer_id for d in found] == [original.pk]
    assert found[0].name_masked == "张*明" and "****" in found[0].mobile_masked
    assert found[0].probability >= 0.9 and found[0].is_visible
    assert {r["label"] for r in found[0].reasons} >= {"手机号相同", "姓名相同"}
    assert customer_possible_duplicates(user=admin, data={"name": "王五", "mobile": "13700000000"}) == []
    by_name = customer_possible_duplicates(user=admin, data={"name": "Zhang Weiming", "birth_date": "1980-05-04"})
    assert [d.customer_id for d in by_name] == [original.pk]
    old_id = make_customer(admin, name="王芳", id_number="110105800101123")  # the 15-digit form
    by_id = customer_possible_duplicates(user=admin, data={"name": "王芳", "id_number": WANG_ID})
    assert [d.customer_id for d in by_id] == [old_id.pk]
    assert customer_possible_duplicates(user=admin, data={"kind": "organisation", "name": "张伟明",
                                                          "mobile": "13812345678"}) == []


def test_possible_duplicates_by_contact_points_and_email_leave_out_deleted_and_capped_per_key(admin):
    from guanxi.customers.models import ContactPoint
    from guanxi.customers.selectors import dedupe as dedupe_selectors

    by_point = make_customer(admin, name="周芷若")
    ContactPoint.objects.create(customer=by_point, kind="mobile", value="13700001234", normalized="+8613700001234")
    by_email = make_customer(admin, name="赵敏", email="zm@example.cn")
    by_email_point = make_customer(admin, name="赵敏敏")
    ContactPoint.objects.create(customer=by_email_point, kind="email", value="zm@example.cn",
                                normalized="zm@example.cn")
    gone = make_customer(admin, name="周芷若", mobile="13700001234")
    Customer.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    found = customer_possible_duplicates(user=admin, data={"name": "周芷若", "mobile": "137 0000 1234"})
    assert [d.customer_id for d in found] == [by_point.pk]
    phone = {"kind": "individual", "phone": "+8613700001234", "id17": None, "id_number": None, "email": None,
             "dob": None, "province": None}
    assert candidate_ids(phone, name="", exclude=None) == [by_point.pk]
    assert candidate_ids({**phone, "kind": "organisation"}, name="", exclude=None) == []
    found = customer_possible_duplicates(user=admin, data={"name": "赵敏", "email": "ZM@example.cn"})
    assert {d.customer_id for d in found} <= {by_email.pk, by_email_point.pk} and found[0].customer_id == by_email.pk
    record = {"kind": "individual", "phone": None, "id17": None, "id_number": None, "email": "zm@example.cn",
              "dob": None, "province": None}
    assert set(candidate_ids(record, name="赵敏", exclude=None)) == {by_email.pk, by_email_point.pk}
    assert candidate_ids(record, name="赵敏", exclude=by_email.pk) == [by_email_point.pk]
    for _ in range(3):
        make_customer(admin, name="张三", mobile=None, email="same@example.cn")
    record["email"] = "same@example.cn"
    original = dedupe_selectors._PER_KEY
    try:
        dedupe_selectors._PER_KEY = 2
        assert len(candidate_ids(record, name="", exclude=None)) == 2
    finally:
        dedupe_selectors._PER_KEY = original


def candidate_ids(record: dict, *, name: str, exclude: int | None) -> list[int]:
    from guanxi.customers.selectors import dedupe as dedupe_selectors

    return [candidate.pk for candidate in dedupe_selectors._candidates(record, name=name, exclude=exclude)]


def test_api_create_returns_possible_duplicates(admin):
    sales = UserFactory(role=Role.SALES_REP)
    original = make_customer(admin, name="张伟明", mobile="13812345678", owner=None)
    response = post_json(client_for(sales), "/api/v1/customers",
                    {"kind": "individual", "name": "张伟明", "mobile": "+86 138-1234-5678"})
    assert response.status_code == 201, response.content
    duplicates = response.json()["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [original.pk]
    assert duplicates[0]["number"] == original.code and duplicates[0]["name"] == "张*明"
    assert duplicates[0]["can_open"] is False  # a sales rep sees only their own customers
    assert "13812345678" not in response.content.decode().replace(response.json()["mobile"], "")
    fresh = post_json(client_for(admin), "/api/v1/customers", {"kind": "individual", "name": "欧阳修"})
    assert fresh.json()["possible_duplicates"] == []


def test_create_page_warns_with_links_after_creating(client, admin):
    original = make_customer(admin, name="张伟明", mobile="13812345678")
    client.force_login(admin)
    response = client.post(reverse("customers:create"), {
        "kind": "individual", "name": "張偉明", "mobile": "138 1234 5678", "lifecycle_stage": "prospect",
        "source": "call_center",
    }, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "可能已存在" in body and reverse("customers:detail", args=[original.pk]) in body
    assert Customer.objects.count() == 2


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"),
                                              ("Zhang Wei", "Z**** W**"), ("", "")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# --- auto-merge --------------------------------------------------------------------------------------


def test_auto_merge_merges_the_near_certain_pairs_and_leaves_the_rest_for_review(people, admin):
    from guanxi.customers.models import CustomerMerge

    probabilities = {}
    review = run_scan()
    for candidate in MatchCandidate.objects.filter(scan=review):
        probabilities[(candidate.left_id, candidate.right_id)] = candidate.probability
    cut = sorted(probabilities.values())[-1] - 1e-9  # only the most probable pair(s)
    MatchCandidate.objects.all().delete()
    scan = dedupe_scan_run(actor=SYSTEM, scan=dedupe_scan_create(actor=admin, threshold=0.8, auto_merge_threshold=cut))
    merged_pairs = {p for p, value in probabilities.items() if value >= cut}
    assert scan.status == "done" and scan.auto_merged == len(merged_pairs) >= 1
    for left, right in merged_pairs:
        candidate = MatchCandidate.objects.get(left_id=left, right_id=right)
        assert candidate.status == "merged" and candidate.decided_by == admin
        merge = CustomerMerge.objects.get(candidate=candidate)
        assert {merge.survivor_id, merge.merged_id} == {left, right}
        assert Customer.objects.get(pk=merge.merged_id).deleted_at is not None
    assert MatchCandidate.objects.filter(status="pending").count() == len(probabilities) - len(merged_pairs)
    again = run_scan()  # merged customers are gone from the next scan
    assert again.total == len(people) - len(merged_pairs)


def test_a_trained_scan_of_customers_without_any_duplicate_finds_none(admin):
    # Enough customers to train the model, not one sure pair: the estimated prior would be 0.
    surnames, given = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许", "伟芳娜敏静丽强磊军洋勇艳杰"
    for i in range(210):
        make_customer(admin, name=surnames[i % 20] + given[i // 20] + given[(i * 7) % 13],
                      mobile=f"1390{i:07d}", birth_date=datetime.date(1960 + i % 40, 1 + i % 12, 1 + i % 28))
    scan = run_scan()
    assert scan.status == DedupeScan.Status.DONE, scan.error
    assert scan.total == 210 and DedupeModel.objects.exists()
    assert scan.candidates_found == MatchCandidate.objects.count()


def test_the_api_gives_a_failed_scans_reason_in_the_callers_language(admin):
    scan = DedupeScan.objects.create(status="failed", error="interrupted: its process ended", requested_by=admin)
    client = client_for(admin)
    chinese = client.get(f"{SCANS}/{scan.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get(f"{SCANS}/{scan.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["error"] == english["error"] == "interrupted: its process ended"
    assert (chinese["error_message"], english["error_message"]) == ("已中断：执行它的进程已结束",
                                                                    "interrupted: its process ended")
