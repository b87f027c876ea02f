"""Merging duplicates into one golden record and undoing it: services and selectors."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.models import (
    Address,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    Holding,
    Interaction,
    Transaction,
)
from guanxi.customers.relations import customer_relations
from guanxi.customers.selectors.customers import CustomerFilter, customer_list
from guanxi.customers.selectors.merging import customer_merge_history, match_candidate_list
from guanxi.customers.services import address_add, contact_add, contact_point_add, customer_delete, customer_update
from guanxi.customers.services.history import interaction_record
from guanxi.customers.services.merging import (
    SNAPSHOT_FIELDS,
    Rule,
    customer_merge,
    customer_unmerge,
    golden_record,
    match_candidate_dismiss,
    survive,
)

from ..factories import make_customer, pair

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def manager():
    return UserFactory(role=Role.SERVICE_MANAGER)


def fields_of(customer: Customer) -> dict:
    customer.refresh_from_db()
    values = {Customer._meta.get_field(f).attname: getattr(customer, Customer._meta.get_field(f).attname)
              for f in SNAPSHOT_FIELDS}
    values["tags"] = sorted(customer.tags.values_list("name", flat=True))
    return values


def profile_rows(actor, customer, tag: str) -> dict:
    """One row of every customers-app relation, the ids by model."""
    contact = contact_add(actor=actor, customer=customer, name=f"联系人{tag}")
    point = contact_point_add(actor=actor, customer=customer, kind="wechat", value=f"wx_{tag}", contact=contact)
    address = address_add(actor=actor, customer=customer, kind="home", province="北京市", city="北京市",
                          district="朝阳区", street=f"建国路{tag}号")
    holding = Holding.objects.create(customer=customer, product=f"宽带{tag}")
    interaction = interaction_record(actor=SYSTEM, customer=customer, channel="call", staff=actor, subject=f"咨询{tag}")
    txn = Transaction.objects.create(customer=customer, kind="payment", occurred_at=NOW, amount=Decimal("100.00"))
    return {Contact: contact.pk, ContactPoint: point.pk, Address: address.pk, Holding: holding.pk,
            Interaction: interaction.pk, Transaction: txn.pk}


def owner_of(model, pk) -> int:
    return model._base_manager.filter(pk=pk).values_list("customer_id", flat=True).get()


# ---------------------------------------------------------------- survivorship rules


@pytest.mark.parametrize(("rule", "field", "mine", "theirs", "merged_is_newer", "expected", "source"), [
    (Rule.PREFER_SURVIVOR, "occupation", "教师", "医生", False, "教师", "survivor"),
    (Rule.PREFER_SURVIVOR, "occupation", "", "医生", False, "医生", "merged"),
    (Rule.PREFER_SURVIVOR, "occupation", "教师", "", True, "教师", "survivor"),
    (Rule.PREFER_SURVIVOR, "birth_date", None, dt.date(1990, 1, 2), False, dt.date(1990, 1, 2), "merged"),
    (Rule.PREFER_SURVIVOR, "arpu", Decimal("0.00"), Decimal("88.00"), False, Decimal("88.00"), "merged"),
    (Rule.PREFER_SURVIVOR, "arpu", Decimal("50.00"), Decimal("88.00"), True, Decimal("50.00"), "survivor"),
    (Rule.PREFER_SURVIVOR, "credit_limit", Decimal("0"), Decimal("5000"), False, Decimal("5000"), "merged"),
    (Rule.PREFER_SURVIVOR, "lifecycle_stage", "prospect", "mature", False, "mature", "merged"),
    (Rule.PREFER_SURVIVOR, "lifecycle_stage", "growing", "mature", True, "growing", "survivor"),
    (Rule.MOST_RECENT, "mobile", "+8613800138000", "+8613900139000", True, "+8613900139000", "merged"),
    (Rule.MOST_RECENT, "mobile", "+8613800138000", "+8613900139000", False, "+8613800138000", "survivor"),
    (Rule.MOST_RECENT, "mobile", "", "+8613900139000", False, "+8613900139000", "merged"),
    (Rule.MOST_RECENT, "email", "a@x.cn", "", True, "a@x.cn", "survivor"),
    (Rule.EARLIEST, "created_at", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
     False, dt.datetime(2021, 1, 1, tzinfo=dt.UTC), "merged"),
    (Rule.EARLIEST, "created_at", dt.datetime(2020, 5, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
     True, dt.datetime(2020, 5, 1, tzinfo=dt.UTC), "survivor"),
    (Rule.JOIN, "notes", "老客户", "喜欢短信联系", False, "老客户\n\n喜欢短信联系", "both"),
    (Rule.JOIN, "notes", "老客户，喜欢短信联系", "喜欢短信联系", False, "老客户，喜欢短信联系", "survivor"),
    (Rule.JOIN, "notes", "", "喜欢短信联系", False, "喜欢短信联系", "merged"),
    (Rule.KEEP_SURVIVOR, "code", "C000000001", "C000000002", True, "C000000001", "survivor"),
])
def test_survivorship_rule_table(rule, field, mine, theirs, merged_is_newer, expected, source):
    assert survive(rule, field=field, survivor_value=mine, merged_value=theirs,
                   merged_is_newer=merged_is_newer) == (expected, source)


def test_golden_record_follows_rules_and_user_choices(manager):
    older = make_customer(manager, name="王伟", mobile="13800138000", occupation="", arpu="0", tags=["VIP"])
    newer = make_customer(manager, name="王 伟", mobile="13900139000", occupation="工程师", arpu="120")
    values, sources = golden_record(older, newer)
    assert values["name"] == "王伟" and values["occupation"] == "工程师" and values["arpu"] == Decimal("120.00")
    assert values["mobile"] == "+8613900139000" and sources["mobile"] == "merged"  # the newer record's
    values, sources = golden_record(older, newer, {"mobile": "survivor", "name": "merged"})
    assert values["mobile"] == "+8613800138000" and values["name"] == "王 伟"
    assert sources["name"] == "merged" and sources["code"] == "survivor"


# ---------------------------------------------------------------- merge and undo


def test_merge_moves_every_related_row_and_undo_puts_exactly_those_back(manager):
    survivor = make_customer(manager, name="李娜", mobile="13800138000", tags=["VIP"])
    merged = make_customer(manager, name="李 娜", mobile="13900139000", email="ln@example.com", tags=["宽带", "VIP"])
    mine, theirs = profile_rows(manager, survivor, "A"), profile_rows(manager, merged, "B")
    candidate = pair(survivor, merged)

    merge = customer_merge(survivor=survivor, merged=merged, actor=manager, candidate=candidate)

    for model, pk in [*mine.items(), *theirs.items()]:
        assert owner_of(model, pk) == survivor.pk, model
    assert merge.moved["customers.contact.customer"] == [theirs[Contact]]
    assert merge.moved["customers.interaction.customer"] == [theirs[Interaction]]
    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.merged_into_id == survivor.pk and merged.deleted_at is not None
    assert survivor.email == "ln@example.com"
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["VIP", "宽带"]
    # The losing mobile is kept as a contact point of the golden record.
    kept_mobile = ContactPoint.objects.get(customer=survivor, kind="mobile")
    assert kept_mobile.pk in merge.added["customers.contactpoint"]
    candidate.refresh_from_db()
    assert candidate.status == "merged" and candidate.decided_by == manager
    # Both records' audit trails say so; moved rows have an audit row too.
    assert survivor.history.first().history_change_reason == f"已将 {merged.code} 合并到本记录"
    assert merged.history.first().history_change_reason == f"已合并到 {survivor.code}"
    assert Contact.history.filter(id=theirs[Contact]).first().customer_id == survivor.pk

    # After the merge, new rows land on the survivor and stay there after the undo.
    later = interaction_record(actor=SYSTEM, customer=survivor, channel="sms", subject="合并后")
    customer_unmerge(merge=merged, actor=manager)

    for model, pk in mine.items():
        assert owner_of(model, pk) == survivor.pk, model
    for model, pk in theirs.items():
        assert owner_of(model, pk) == merged.pk, model
    assert Interaction.objects.get(pk=later.pk).customer_id == survivor.pk
    assert not ContactPoint.objects.filter(pk=kept_mobile.pk).exists()
    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.merged_into_id is None and merged.deleted_at is None
    assert survivor.email == "" and survivor.mobile == "+8613800138000"
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["VIP"]
    assert sorted(merged.tags.values_list("name", flat=True)) == ["VIP", "宽带"]
    candidate.refresh_from_db()
    assert candidate.status == "pending" and candidate.decided_by is None
    merge.refresh_from_db()
    assert merge.undone_by == manager and merge.undone_at is not None


def test_every_relation_is_found_generically():
    labels = {r.label for r in customer_relations()}
    assert {"customers.contact.customer", "customers.contactpoint.customer", "customers.address.customer",
            "customers.holding.customer", "customers.interaction.customer", "customers.transaction.customer",
            "customers.customer.merged_into"} <= labels
    assert not any("historical" in label for label in labels)
    assert not {"customers.matchcandidate.left", "customers.customermerge.survivor"} & labels


def test_undo_keeps_fields_users_changed_after_the_merge(manager):
    survivor = make_customer(manager, name="赵敏", occupation="", industry="")
    merged = make_customer(manager, name="赵敏", occupation="律师", industry="法律")
    customer_merge(survivor=survivor, merged=merged, actor=manager)
    customer_update(actor=manager, customer=survivor, data={"industry": "金融"})

    customer_unmerge(merge=merged, actor=manager)
    survivor.refresh_from_db()
    assert survivor.occupation == ""  # written by the merge: back to the value before
    assert survivor.industry == "金融"  # changed by a user since: kept


def test_merged_record_leaves_search_and_lists_and_comes_back_after_undo(manager):
    survivor = make_customer(manager, name="孙悟空", mobile="13800138000")
    merged = make_customer(manager, name="孙悟空", mobile="13700137000")

    def found(query):
        return set(customer_list(user=manager, filters=CustomerFilter(query=query)).values_list("pk", flat=True))

    customer_merge(survivor=survivor, merged=merged, actor=manager)
    assert found("孙悟空") == {survivor.pk}
    assert found("swk") == {survivor.pk}
    assert found("13700137000") == {survivor.pk}  # its phone now finds the golden record
    customer_unmerge(merge=merged, actor=manager)
    assert found("孙悟空") == {survivor.pk, merged.pk}
    assert found("13700137000") == {merged.pk}


def test_chain_of_merges_undo_in_reverse_order_only(manager):
    a, b, c = (make_customer(manager, name=n) for n in ("甲", "乙", "丙"))
    first = customer_merge(survivor=b, merged=a, actor=manager)
    contact = contact_add(actor=manager, customer=b, name="乙的联系人")
    second = customer_merge(survivor=c, merged=b, actor=manager)
    a.refresh_from_db()
    assert a.merged_into_id == c.pk  # banners point at the live survivor
    assert Contact.objects.get(pk=contact.pk).customer_id == c.pk

    with pytest.raises(Conflict) as refused:
        customer_unmerge(merge=first, actor=manager)
    assert refused.value.code == "merge_depends"

    customer_unmerge(merge=second, actor=manager)
    a.refresh_from_db()
    assert a.merged_into_id == b.pk and Contact.objects.get(pk=contact.pk).customer_id == b.pk
    customer_unmerge(merge=first, actor=manager)
    a.refresh_from_db()
    assert a.merged_into_id is None and a.deleted_at is None


def test_other_pending_pairs_of_the_merged_record_move_to_the_survivor(manager):
    s, m, x, y = (make_customer(manager, name=n) for n in ("张一", "张 一", "张壹", "章一"))
    own, mx, my, sy = pair(s, m), pair(m, x, 0.9), pair(m, y, 0.85), pair(s, y, 0.8)
    merge = customer_merge(survivor=s, merged=m, actor=manager)  # the pair is found without being named
    own.refresh_from_db()
    mx.refresh_from_db()
    my.refresh_from_db()
    assert own.status == "merged" and merge.candidate_id == own.pk
    assert {mx.left_id, mx.right_id} == {s.pk, x.pk} and mx.status == "pending"
    assert my.status == "dismissed"  # the survivor already pairs with y
    queue = list(match_candidate_list(user=manager))
    assert mx in queue and sy in queue and own not in queue

    customer_unmerge(merge=merge, actor=manager)
    mx.refresh_from_db()
    my.refresh_from_db()
    assert {mx.left_id, mx.right_id} == {m.pk, x.pk} and my.status == "pending"


def test_merge_history_lists_merges_both_ways(manager):
    s, m = make_customer(manager, name="周"), make_customer(manager, name="周")
    merge = customer_merge(survivor=s, merged=m, actor=manager)
    assert customer_merge_history(customer=s) == [merge] == customer_merge_history(customer=m)


# ---------------------------------------------------------------- refusals


def assert_unchanged(before: dict, *customers):
    for customer in customers:
        assert fields_of(customer) == before[customer.pk]


def test_refusals_leave_everything_as_it_was(manager):
    a, b, c = (make_customer(manager, name=n, mobile=p) for n, p in
               (("甲", "13800000001"), ("乙", "13800000002"), ("丙", "13800000003")))
    contact = contact_add(actor=manager, customer=b, name="乙的联系人")

    with pytest.raises(ValidationFailed) as refused:
        customer_merge(survivor=a, merged=a, actor=manager)
    assert refused.value.code == "merge_self"

    agent = UserFactory(role=Role.AGENT)  # may edit every customer, but not take one out of the lists
    before = {x.pk: fields_of(x) for x in (a, b)}
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=a, merged=b, actor=agent)
    assert_unchanged(before, a, b)
    assert Contact.objects.get(pk=contact.pk).customer_id == b.pk and not CustomerMerge.objects.exists()

    with pytest.raises(ValidationFailed) as refused:
        customer_merge(survivor=a, merged=b, actor=manager, field_choices={"code": "merged", "nope": "x"})
    assert set(refused.value.fields) == {"field_choices.code", "field_choices.nope"}
    assert_unchanged(before, a, b)

    merge = customer_merge(survivor=a, merged=b, actor=manager)
    with pytest.raises(Conflict) as refused:
        customer_merge(survivor=c, merged=b, actor=manager)
    assert refused.value.code == "already_merged"
    with pytest.raises(Conflict) as refused:
        customer_merge(survivor=b, merged=c, actor=manager)
    assert refused.value.code == "already_merged"

    customer_delete(actor=manager, customer=c)
    with pytest.raises(Conflict) as refused:
        customer_merge(survivor=a, merged=c, actor=manager)
    assert refused.value.code == "deleted"

    with pytest.raises(PermissionDenied):
        customer_unmerge(merge=merge, actor=agent)
    assert CustomerMerge.objects.get().undone_at is None
    customer_unmerge(merge=merge, actor=manager)
    with pytest.raises(Conflict) as refused:
        customer_unmerge(merge=merge, actor=manager)
    assert refused.value.code == "already_undone"
    with pytest.raises(Conflict) as refused:
        customer_unmerge(merge=b, actor=manager)
    assert refused.value.code == "not_merged"


def test_a_sales_manager_merges_only_inside_the_team():
    team = TeamFactory()
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    rep = UserFactory(role=Role.SALES_REP, team=team)
    outsider = UserFactory(role=Role.SALES_MANAGER)
    ours = make_customer(manager, name="团队客户")
    also_ours = make_customer(rep, name="团队客户")
    theirs = make_customer(outsider, name="团队客户")
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=ours, merged=theirs, actor=manager)
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=also_ours, merged=ours, actor=rep)  # reps cannot delete
    customer_merge(survivor=ours, merged=also_ours, actor=manager)


def test_candidate_must_be_the_pair_and_pending(manager):
    a, b, c = (make_customer(manager, name="钱") for _ in range(3))
    other = pair(a, c)
    with pytest.raises(ValidationFailed):
        customer_merge(survivor=a, merged=b, actor=manager, candidate=other)
    match_candidate_dismiss(candidate=other, actor=manager)
    other.refresh_from_db()
    assert other.status == "dismissed" and other.decided_by == manager
    with pytest.raises(Conflict):
        customer_merge(survivor=a, merged=c, actor=manager, candidate=other)
    with pytest.raises(Conflict):
        match_candidate_dismiss(candidate=other, actor=manager)
    with pytest.raises(PermissionDenied):
        match_candidate_dismiss(candidate=pair(a, b), actor=UserFactory(role=Role.AGENT))


def test_queue_shows_only_pairs_the_user_may_see_with_both_records_live():
    team = TeamFactory()
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    admin = UserFactory(role=Role.ADMIN)
    ours1, ours2 = make_customer(manager, name="甲"), make_customer(manager, name="甲")
    elsewhere = make_customer(admin, name="甲")
    inside, across = pair(ours1, ours2, 0.91), pair(ours1, elsewhere, 0.99)
    assert list(match_candidate_list(user=manager)) == [inside]
    assert list(match_candidate_list(user=admin)) == [across, inside]
    assert list(match_candidate_list(user=admin, min_probability=0.95)) == [across]
    customer_delete(actor=admin, customer=elsewhere)
    assert list(match_candidate_list(user=admin)) == [inside]
    with pytest.raises(ValidationFailed):
        match_candidate_list(user=admin, status="maybe")


# ---------------------------------------------------------------- property: undo restores both records

TEXT = st.sampled_from(["", "甲", "乙方", "工程师", "alpha"])
MOBILES = st.sampled_from(["", "13800138000", "13900139000"])
MONEY = st.sampled_from(["0", "12.50", "99"])
DATES = st.sampled_from([None, dt.date(1980, 2, 29), dt.date(1999, 12, 31)])
RECORD = st.fixed_dictionaries({
    "name": st.sampled_from(["王五", "王 五", "Wang Wu"]), "mobile": MOBILES,
    "email": st.sampled_from(["", "a@example.com", "b@example.com"]), "occupation": TEXT, "industry": TEXT,
    "arpu": MONEY, "credit_limit": MONEY, "birth_date": DATES, "notes": TEXT,
    "lifecycle_stage": st.sampled_from(["prospect", "growing", "mature"]),
    "tags": st.lists(st.sampled_from(["VIP", "宽带", "政企"]), max_size=2, unique=True),
})
CHOICES = st.dictionaries(st.sampled_from(["name", "mobile", "email", "occupation", "arpu", "notes", "created_at",
                                           "birth_date", "lifecycle_stage"]),
                          st.sampled_from(["survivor", "merged"]), max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=RECORD, second=RECORD, choices=CHOICES)
def test_merge_then_undo_restores_both_records(manager, first, second, choices):
    with transaction.atomic():
        survivor, merged = make_customer(manager, **first), make_customer(manager, **second)
        before = {survivor.pk: fields_of(survivor), merged.pk: fields_of(merged)}
        customer_merge(survivor=survivor, merged=merged, actor=manager, field_choices=choices)
        customer_unmerge(merge=merged, actor=manager)
        assert_unchanged(before, survivor, merged)
        assert not ContactPoint.objects.filter(customer__in=[survivor, merged]).exists()
        transaction.set_rollback(True)


def _default_addresses(customer) -> list[str]:
    return list(Address.objects.filter(customer=customer, is_default=True).values_list("street", flat=True))


def _address(actor, customer, street):
    return address_add(actor=actor, customer=customer, kind="home", province="北京市", street=street)


def test_a_merge_keeps_the_survivors_default_address_and_the_undo_gives_the_other_back(manager):
    survivor, merged = make_customer(manager, name="李娜"), make_customer(manager, name="李 娜")
    _address(manager, survivor, "建国路1号")
    _address(manager, merged, "长安街2号")

    merge = customer_merge(survivor=survivor, merged=merged, actor=manager)

    assert _default_addresses(survivor) == ["建国路1号"]
    assert survivor.addresses.count() == 2
    assert Address.history.filter(street="长安街2号").first().is_default is False
    customer_unmerge(merge=merge, actor=manager)
    assert _default_addresses(survivor) == ["建国路1号"] and _default_addresses(merged) == ["长安街2号"]


def test_a_survivor_without_a_default_address_takes_the_merged_records(manager):
    survivor, merged = make_customer(manager, name="李娜"), make_customer(manager, name="李 娜")
    _address(manager, merged, "长安街2号")
    customer_merge(survivor=survivor, merged=merged, actor=manager)
    assert _default_addresses(survivor) == ["长安街2号"]


def test_the_database_holds_one_default_address_per_customer(manager):
    from django.db import IntegrityError

    customer = make_customer(manager, name="李娜")
    _address(manager, customer, "建国路1号")
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(customer=customer, kind="home", province="北京市", is_default=True)
