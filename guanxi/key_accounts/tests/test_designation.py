"""Criteria and designation rules: each criterion's contribution, a reason always, an override reason
below the threshold, de-designation and re-designation written to the history, only managers designate,
and a person in one account's org chart once — every refusal leaving nothing changed."""

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_refused, rows_of

from ..enums import EventKind
from ..models import KeyAccount, KeyAccountEvent
from ..selectors import candidate_list, criteria_of
from ..services import (
    competitor_save,
    key_account_change,
    key_account_dedesignate,
    key_account_designate,
    key_person_add,
)
from .factories import account, contact, kam, organisation, tier

pytestmark = pytest.mark.django_db


def state():
    return rows_of("key_accounts")


@pytest.fixture
def manager():
    return UserFactory(role=Role.SALES_MANAGER)


def test_each_criterion_contributes_its_weighted_points(admin):
    customer = organisation(admin)
    criteria = criteria_of(customer_id=customer.pk)
    by_key = {c["key"]: c for c in criteria["criteria"]}
    # default weights 30/15/20/15/10/10 out of 100
    assert by_key["profit"]["points"] == 27.0 and by_key["time"]["points"] == 6.0
    assert sum(c["points"] for c in criteria["criteria"]) == pytest.approx(82.5, abs=0.5)
    assert criteria["meets"] and criteria["threshold"] == 70


def test_candidates_are_those_meeting_the_threshold_best_first_and_not_designated(admin, manager):
    high, higher = organisation(admin, "甲公司", 75), organisation(admin, "乙公司", 90)
    organisation(admin, "丙公司", 40)
    assert [c["customer"].pk for c in candidate_list(user=manager)] == [higher.pk, high.pk]
    key_account_designate(actor=manager, customer=higher, tier=tier(), manager=kam(), reason="贡献大")
    assert [c["customer"].pk for c in candidate_list(user=manager)] == [high.pk]
    assert len(candidate_list(user=manager, include_below=True)) == 2
    with pytest.raises(PermissionDenied):
        candidate_list(user=kam())


def test_designation_needs_a_reason(admin, manager):
    customer = organisation(admin)
    assert_refused(
        lambda: key_account_designate(actor=manager, customer=customer, tier=tier(), manager=kam(), reason="  "),
        state,
        ValidationFailed,
    )


def test_below_the_threshold_needs_an_override_reason(admin, manager):
    customer, owner = organisation(admin, score=55.0), kam()
    assert_refused(
        lambda: key_account_designate(actor=manager, customer=customer, tier=tier(), manager=owner, reason="重点行业"),
        state,
        ValidationFailed,
    )
    unscored = organisation(admin, "未评分公司", score=None)
    assert_refused(
        lambda: key_account_designate(actor=manager, customer=unscored, tier=tier(), manager=owner, reason="重点行业"),
        state,
        ValidationFailed,
    )
    made = key_account_designate(
        actor=manager,
        customer=customer,
        tier=tier("strategic"),
        manager=owner,
        reason="重点行业",
        override_reason="集团战略客户",
    )
    event = made.events.get()
    assert (event.kind, event.actor, event.override_reason, event.score) == (
        EventKind.DESIGNATED,
        manager,
        "集团战略客户",
        55.0,
    )


def test_override_reason_is_not_kept_when_the_criteria_are_met(admin, manager):
    made = key_account_designate(
        actor=manager, customer=organisation(admin), tier=tier(), manager=kam(), reason="贡献大", override_reason="无需"
    )
    assert made.events.get().override_reason == ""


def test_only_managers_designate(admin):
    customer, owner = organisation(admin), kam()
    for actor in (owner, UserFactory(role=Role.AGENT), UserFactory(role=Role.SALES_REP)):
        assert_refused(
            lambda actor=actor: key_account_designate(
                actor=actor, customer=customer, tier=tier(), manager=owner, reason="贡献大"
            ),
            state,
            PermissionDenied,
        )


def test_manager_must_be_a_key_account_manager_and_backup_someone_else(admin, manager):
    customer, owner = organisation(admin), kam()
    assert_refused(
        lambda: key_account_designate(
            actor=manager, customer=customer, tier=tier(), manager=UserFactory(role=Role.AGENT), reason="贡献大"
        ),
        state,
        ValidationFailed,
    )
    assert_refused(
        lambda: key_account_designate(
            actor=manager, customer=customer, tier=tier(), manager=owner, backup=owner, reason="贡献大"
        ),
        state,
        ValidationFailed,
    )


def test_de_designation_and_re_designation_are_in_the_history(admin, manager):
    owner = kam()
    made = account(admin, owner)
    assert_refused(
        lambda: key_account_designate(actor=manager, customer=made.customer, tier=tier(), manager=owner, reason="再次"),
        state,
        Conflict,
    )
    assert_refused(lambda: key_account_dedesignate(actor=manager, account=made, reason=""), state, ValidationFailed)
    key_account_dedesignate(actor=manager, account=made, reason="业务萎缩")
    assert not KeyAccount.objects.get(pk=made.pk).is_active
    assert_refused(lambda: key_account_dedesignate(actor=manager, account=made, reason="再次"), state, Conflict)
    again = key_account_designate(
        actor=manager, customer=made.customer, tier=tier("strategic"), manager=owner, reason="新签大项目"
    )
    assert again.pk == made.pk and again.is_active and again.tier.code == "strategic"
    kinds = list(KeyAccountEvent.objects.filter(account=made).order_by("at", "id").values_list("kind", "reason"))
    assert kinds == [("designated", "年收入贡献大"), ("de_designated", "业务萎缩"), ("designated", "新签大项目")]


def test_tier_and_manager_changes_need_a_reason(admin, manager):
    made, other = account(admin, kam()), kam()
    assert_refused(
        lambda: key_account_change(actor=manager, account=made, tier=tier("strategic"), reason=""),
        state,
        ValidationFailed,
    )
    key_account_change(actor=manager, account=made, tier=tier("strategic"), manager=other, reason="调整")
    made.refresh_from_db()
    assert made.tier.code == "strategic" and made.manager == other
    assert set(made.events.values_list("kind", flat=True)) == {"designated", "tier_changed", "manager_changed"}


def test_a_person_is_in_one_accounts_org_chart_once(admin):
    owner = kam()
    made = account(admin, owner)
    boss = contact(admin, made.customer, "王总", title="总经理")
    person = key_person_add(actor=owner, account=made, contact=boss, role="decision_maker", influence=5)
    assert_refused(
        lambda: key_person_add(actor=owner, account=made, contact=boss, role="influencer"), state, ValidationFailed
    )
    stranger = contact(admin, organisation(admin, "别家公司"), "李四")
    assert_refused(
        lambda: key_person_add(actor=owner, account=made, contact=stranger, role="user"), state, ValidationFailed
    )
    cfo = contact(admin, made.customer, "赵总监", title="财务总监")
    assert_refused(
        lambda: key_person_add(actor=owner, account=made, contact=cfo, role="buyer", influence=9),
        state,
        ValidationFailed,
    )
    added = key_person_add(actor=owner, account=made, contact=cfo, role="buyer", reports_to=person)
    assert added.reports_to == person


def test_another_managers_account_cannot_be_changed(admin):
    owner, other = kam(), kam()
    made = account(admin, owner)
    boss = contact(admin, made.customer)
    assert_refused(
        lambda: key_person_add(actor=other, account=made, contact=boss, role="user"), state, PermissionDenied
    )
    assert_refused(
        lambda: competitor_save(actor=other, account=made, name="中国移动", share_of_wallet=20), state, PermissionDenied
    )


def test_competitors_shares_stay_within_the_wallet(admin):
    owner = kam()
    made = account(admin, owner)
    competitor_save(actor=owner, account=made, name="中国移动", share_of_wallet=60)
    assert_refused(
        lambda: competitor_save(actor=owner, account=made, name="中国联通", share_of_wallet=50), state, ValidationFailed
    )
    competitor_save(actor=owner, account=made, name="中国移动", share_of_wallet=40)  # an update, not a second row
    competitor_save(actor=SYSTEM, account=made, name="中国联通", share_of_wallet=50)
    assert made.competitors.count() == 2
