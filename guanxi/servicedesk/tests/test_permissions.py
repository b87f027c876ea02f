"""The service desk's permission table as a matrix: every role × every write service and its
endpoint. Allowed roles succeed; refused ones get the permission error (403, or 404 where the record
is outside what they may read) and nothing changes in the service desk's tables.

The world: a case of a customer, owned by an agent of another team than the actor's, with a complaint
in progress, a callback, a promise and an article by someone else; the actor is a fresh user of the
role under test in a team of their own. So OWN- and TEAM-scoped roles are refused on it, and the table
decides everything else.
"""

import datetime as dt

import pytest

from guanxi.accounts.access import SYSTEM, customer_actor
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk import permissions
from guanxi.servicedesk.models import Callback, Complaint, Ticket
from guanxi.servicedesk.selectors.callbacks import callback_list
from guanxi.servicedesk.selectors.commitments import commitment_list
from guanxi.servicedesk.selectors.knowledge import article_list
from guanxi.servicedesk.selectors.tickets import ticket_get_for_user, ticket_list
from guanxi.servicedesk.services import (
    calendars,
    callbacks,
    categories,
    commitments,
    complaints,
    cti,
    knowledge,
    standards,
    sweep,
    tickets,
)
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
EVERYONE = frozenset(ROLES)
CONFIGURERS = frozenset({Role.ADMIN, Role.SERVICE_MANAGER})
ALL_CASES = CONFIGURERS  # who writes on a case they neither own, are assigned, nor lead the team of
CASE_OPENERS = EVERYONE - {Role.ANALYST}
AUTHORS = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN, Role.KEY_ACCOUNT_MANAGER})
REVIEWERS = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})
NOBODY = frozenset()


def state() -> dict:
    """Every row of every service desk table (history included): what a refused call must not change."""
    return rows_of("servicedesk")


@pytest.fixture
def world(admin):
    calendar = office_calendar(admin)
    owner_team = TeamFactory(kind="service")
    owner = UserFactory(role=Role.AGENT, team=owner_team)
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    case = tickets.ticket_create(actor=owner, customer=customer, data={
        "subject": "投诉：宽带多次断线", "type": "complaint", "channel": "hotline"})
    other = tickets.ticket_create(actor=owner, customer=customer, data={
        "subject": "宽带断线", "type": "fault", "channel": "hotline"})
    complaint = complaints.complaint_open(actor=owner, ticket=case, note="客户来电投诉")
    fresh = tickets.ticket_create(actor=owner, customer=customer, data={
        "subject": "投诉：装机延误", "type": "complaint", "channel": "hotline"})
    replied = complaints.complaint_open(actor=owner, ticket=tickets.ticket_create(actor=owner, customer=customer, data={
        "subject": "投诉：收费错误", "type": "complaint", "channel": "hotline"}), note="多收月租")
    Complaint.objects.filter(pk=replied.pk).update(stage="replied")
    callback = Callback.objects.create(ticket=other, assignee=owner, due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    promise = commitments.commitment_create(actor=owner, kind="callback", description="今天回电", ticket=other,
                                            within_working_hours=4)
    draft = knowledge.article_create(actor=owner, title="光猫重启", body="拔电十秒后重启")
    in_review = knowledge.article_submit(actor=owner, article=knowledge.article_create(
        actor=owner, title="路由器设置", body="恢复出厂设置"))
    published = knowledge.article_review(actor=admin, article=knowledge.article_submit(
        actor=owner, article=knowledge.article_create(actor=owner, title="宽带测速", body="使用测速网站")),
        approve=True)
    category = categories.category_create(actor=admin, name="宽带")
    standard = standards.standard_save(actor=admin, data={
        "code": "std-1", "name": "标准", "metric": "resolution", "target_minutes": 60, "calendar": calendar})
    return {"admin": admin, "owner": owner, "customer": customer, "case": case, "other": other,
            "complaint": complaint, "fresh": fresh, "replied": replied, "callback": callback, "promise": promise,
            "draft": draft, "in_review": in_review, "published": published, "category": category, "calendar": calendar,
            "standard": standard}


def actor_of(role: str):
    return UserFactory(role=role, team=TeamFactory(kind="service"))


# name → (who may, the call)
SERVICES = {
    "standard_save": (CONFIGURERS, lambda a, w: standards.standard_save(actor=a, data={
        "code": "std-2", "name": "新标准", "metric": "first_response", "target_minutes": 30,
        "calendar": w["calendar"]})),
    "standard_save (change)": (CONFIGURERS, lambda a, w: standards.standard_save(actor=a, standard=w["standard"], data={
        "code": "std-1", "name": "改名", "metric": "resolution", "target_minutes": 90, "calendar": w["calendar"]})),
    "calendar_save": (CONFIGURERS, lambda a, w: calendars.calendar_save(
        actor=a, name="热线日历", periods={d: [(0, 1440)] for d in range(7)})),
    "calendar_exception_set": (CONFIGURERS, lambda a, w: calendars.calendar_exception_set(
        actor=a, calendar=w["calendar"], date=dt.date(2030, 5, 6), periods=[])),
    "category_create": (CONFIGURERS, lambda a, w: categories.category_create(actor=a, name="固话")),
    "category_update": (CONFIGURERS, lambda a, w: categories.category_update(
        actor=a, category=w["category"], name="宽带业务", parent=None)),
    "category_delete": (CONFIGURERS, lambda a, w: categories.category_delete(actor=a, category=w["category"])),
    "ticket_create": (CASE_OPENERS, lambda a, w: tickets.ticket_create(actor=a, customer=None, data={
        "subject": "咨询套餐", "type": "consultation", "channel": "hotline"})),
    "ticket_message_add": (ALL_CASES, lambda a, w: tickets.ticket_message_add(
        actor=a, ticket=w["other"], kind="reply", body="您好")),
    "ticket_transition": (ALL_CASES, lambda a, w: tickets.ticket_transition(
        actor=a, ticket=w["other"], status="resolved")),
    "ticket_assign": (ALL_CASES, lambda a, w: tickets.ticket_assign(actor=a, ticket=w["other"], assignee=w["admin"])),
    "ticket_merge": (ALL_CASES, lambda a, w: tickets.ticket_merge(actor=a, source=w["other"], target=w["case"])),
    "complaint_open": (ALL_CASES, lambda a, w: complaints.complaint_open(actor=a, ticket=w["fresh"])),
    "complaint_advance": (ALL_CASES, lambda a, w: complaints.complaint_advance(
        actor=a, complaint=w["complaint"], stage="recorded")),
    "complaint_reopen": (ALL_CASES, lambda a, w: complaints.complaint_reopen(
        actor=a, complaint=w["replied"], note="客户仍不满意")),
    "callback_record": (ALL_CASES, lambda a, w: callbacks.callback_record(
        actor=a, callback=w["callback"], outcome="satisfied")),
    "commitment_create": (ALL_CASES, lambda a, w: commitments.commitment_create(
        actor=a, kind="visit", description="上门检修", ticket=w["other"], within_working_hours=8)),
    "commitment_keep": (ALL_CASES, lambda a, w: commitments.commitment_keep(actor=a, commitment=w["promise"])),
    "commitment_withdraw": (ALL_CASES, lambda a, w: commitments.commitment_withdraw(
        actor=a, commitment=w["promise"], reason="客户取消")),
    "commitment_break": (ALL_CASES, lambda a, w: commitments.commitment_break(
        actor=a, commitment=w["promise"], reason="无法完成")),
    "article_create": (AUTHORS, lambda a, w: knowledge.article_create(actor=a, title="新文章", body="内容")),
    "article_edit": (REVIEWERS, lambda a, w: knowledge.article_edit(actor=a, article=w["draft"], title="改",
                                                                      body="改")),
    "article_submit": (REVIEWERS, lambda a, w: knowledge.article_submit(actor=a, article=w["draft"])),
    "article_review": (REVIEWERS, lambda a, w: knowledge.article_review(actor=a, article=w["in_review"],
                                                                          approve=True)),
    "article_archive": (REVIEWERS, lambda a, w: knowledge.article_archive(actor=a, article=w["published"])),
    "article_use": (EVERYONE, lambda a, w: knowledge.article_use(actor=a, article=w["published"])),
    "cti_event_receive": (NOBODY, lambda a, w: cti.cti_event_receive(
        actor=a, event_id="e1", type="call_started", call_id="c1", caller="13800138000", payload={})),
    "clocks_sweep": (ALL_CASES, lambda a, w: sweep.clocks_sweep(actor=a)),
    "commitments_sweep": (ALL_CASES, lambda a, w: commitments.commitments_sweep(actor=a)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    actor = actor_of(role)
    check_service(lambda: call(actor, world), allowed=role in allowed, state=state, errors=PermissionDenied)


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_runs_every_service_and_nobody_without_an_actor(world, service):
    _, call = SERVICES[service]
    assert_nobody_may(lambda nobody: call(nobody, world), state, PermissionDenied)
    if service not in ("commitment_create",):  # a promise is made by a person
        call(SYSTEM, world)


def test_owners_assignees_and_team_leads_work_on_their_cases(world):
    owner, case = world["owner"], world["other"]
    lead = UserFactory(role=Role.TEAM_LEAD, team=owner.team)
    sales = UserFactory(role=Role.SALES_REP)
    tickets.ticket_assign(actor=owner, ticket=case, assignee=sales)
    for actor in (owner, lead, sales):
        tickets.ticket_message_add(actor=actor, ticket=case, kind="note", body="跟进")
    analyst = UserFactory(role=Role.ANALYST)
    tickets.ticket_assign(actor=owner, ticket=case, assignee=analyst)
    with pytest.raises(PermissionDenied):  # analysts read, they do not write, assigned or not
        tickets.ticket_message_add(actor=analyst, ticket=case, kind="note", body="跟进")


def test_a_customer_writes_only_on_their_own_cases(world, admin):
    theirs = customer_actor(world["customer"])
    tickets.ticket_message_add(actor=theirs, ticket=world["other"], kind="customer", body="还是不行")
    stranger = customer_actor(make_customer(admin, name="李雷", mobile="13900139000"))
    before = state()
    with pytest.raises(PermissionDenied):
        tickets.ticket_message_add(actor=stranger, ticket=world["other"], kind="customer", body="?")
    with pytest.raises(PermissionDenied):
        tickets.ticket_create(actor=stranger, customer=world["customer"], data={
            "subject": "冒名", "type": "consultation", "channel": "web"})
    assert state() == before


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_scoped_by_the_table(world, role):
    actor = actor_of(role)
    cases = set(ticket_list(user=actor).values_list("pk", flat=True))
    promises = set(commitment_list(user=actor).values_list("pk", flat=True))
    calls_back = set(callback_list(user=actor, pending_only=False).values_list("pk", flat=True))
    articles = set(article_list(user=actor).values_list("pk", flat=True))
    reads_all_cases = role in {Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN, Role.ANALYST}
    assert (permissions.scope(actor, "ticket", "read") is Scope.ALL) == reads_all_cases
    # Other roles read their own cases and those of customers they may read: none of these.
    assert cases == (set(Ticket.objects.values_list("pk", flat=True)) if reads_all_cases else set())
    assert promises == ({world["promise"].pk} if reads_all_cases else set())
    assert calls_back == ({world["callback"].pk} if reads_all_cases else set())
    # Published articles for everyone; other people's drafts and reviews for the reviewers.
    assert world["published"].pk in articles
    assert ({world["draft"].pk, world["in_review"].pk} <= articles) == (role in REVIEWERS)
    assert not ({world["draft"].pk, world["in_review"].pk} & articles) or role in REVIEWERS


def test_nobody_reads_anything_without_an_active_account(world):
    gone = UserFactory(role=Role.ADMIN, is_active=False)
    assert not ticket_list(user=gone).exists() and not commitment_list(user=gone).exists()
    assert not article_list(user=gone).exists()


# ---------------------------------------------------------------- endpoints


def _endpoints(w) -> dict:
    """name → (who may, method, url, body); refused callers get 403 (or 404 outside their reads)."""
    other, case = w["other"].pk, w["case"].pk
    return {
        "create_service_standard": (CONFIGURERS, "post", "/api/v1/service-standards", {
            "code": "std-9", "name": "新标准", "metric": "first_response", "target_minutes": 30,
            "calendar": w["calendar"].pk}),
        "update_service_standard": (CONFIGURERS, "put", f"/api/v1/service-standards/{w['standard'].pk}", {
            "code": "std-1", "name": "改名", "metric": "resolution", "target_minutes": 90,
            "calendar": w["calendar"].pk}),
        "create_calendar": (CONFIGURERS, "post", "/api/v1/calendars", {
            "name": "热线日历", "periods": {str(d): [[0, 1440]] for d in range(7)}}),
        "set_calendar_exception": (CONFIGURERS, "put", f"/api/v1/calendars/{w['calendar'].pk}/exceptions", {
            "date": "2030-05-06", "periods": []}),
        "create_ticket_category": (CONFIGURERS, "post", "/api/v1/ticket-categories", {"name": "固话"}),
        "update_ticket_category": (CONFIGURERS, "put", f"/api/v1/ticket-categories/{w['category'].pk}",
                                   {"name": "宽带业务"}),
        "delete_ticket_category": (CONFIGURERS, "delete", f"/api/v1/ticket-categories/{w['category'].pk}", None),
        "create_ticket": (CASE_OPENERS, "post", "/api/v1/tickets", {
            "subject": "咨询套餐", "type": "consultation", "channel": "hotline"}),
        "add_ticket_message": (ALL_CASES, "post", f"/api/v1/tickets/{other}/messages", {"kind": "reply",
                                                                                       "body": "您好"}),
        "transition_ticket": (ALL_CASES, "post", f"/api/v1/tickets/{other}/transition", {"status": "resolved"}),
        "assign_ticket": (ALL_CASES, "post", f"/api/v1/tickets/{other}/assign", {"assignee": w["admin"].pk}),
        "merge_ticket": (ALL_CASES, "post", f"/api/v1/tickets/{other}/merge", {"into": case}),
        "advance_complaint": (ALL_CASES, "post", f"/api/v1/tickets/{case}/complaint/steps", {"stage": "recorded"}),
        "record_callback": (ALL_CASES, "post", f"/api/v1/callbacks/{w['callback'].pk}", {"outcome": "satisfied"}),
        # Outside what the caller reads, the case named in the body is an unknown case (422).
        "create_commitment": (ALL_CASES, "post", "/api/v1/commitments", {
            "kind": "visit", "description": "上门检修", "ticket": other, "within_working_hours": 8}),
        "keep_commitment": (ALL_CASES, "post", f"/api/v1/commitments/{w['promise'].pk}/keep", {}),
        "withdraw_commitment": (ALL_CASES, "post", f"/api/v1/commitments/{w['promise'].pk}/withdraw",
                                {"reason": "客户取消"}),
        "break_commitment": (ALL_CASES, "post", f"/api/v1/commitments/{w['promise'].pk}/break",
                             {"reason": "无法完成"}),
        "create_article": (AUTHORS, "post", "/api/v1/knowledge/articles", {"title": "新文章", "body": "内容"}),
        "review_article": (REVIEWERS, "post", f"/api/v1/knowledge/articles/{w['in_review'].pk}/review",
                           {"approve": True}),
        "submit_article": (REVIEWERS, "post", f"/api/v1/knowledge/articles/{w['draft'].pk}/submit", {}),
        "edit_article": (REVIEWERS, "put", f"/api/v1/knowledge/articles/{w['draft'].pk}",
                         {"title": "改", "body": "改"}),
    }


ENDPOINTS = ("create_service_standard", "update_service_standard", "create_calendar", "set_calendar_exception",
             "create_ticket_category", "update_ticket_category", "delete_ticket_category", "create_ticket",
             "add_ticket_message", "transition_ticket", "assign_ticket", "merge_ticket", "advance_complaint",
             "record_callback", "create_commitment", "keep_commitment", "withdraw_commitment", "break_commitment",
             "create_article", "review_article", "submit_article", "edit_article")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_role_and_write_endpoint(world, role, endpoint):
    allowed, method, url, body = _endpoints(world)[endpoint]
    refused = (403, 404, 422) if endpoint == "create_commitment" else (403, 404)
    check_endpoint(client_for(actor_of(role)), method, url, body, allowed=role in allowed, state=state,
                   refused=refused)


def test_a_refused_read_is_not_found_and_a_refused_write_forbidden(world):
    with pytest.raises(NotFound):
        ticket_get_for_user(user=actor_of(Role.SALES_REP), ticket_id=world["other"].pk)
    with pytest.raises(PermissionDenied):
        ticket_get_for_user(user=actor_of(Role.ANALYST), ticket_id=world["other"].pk, action="write")
