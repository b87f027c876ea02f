"""The tasks permission table as a matrix: every role × every write service and its endpoint, on
a colleague's task of the actor's team (team leads, managers and administrators may; the others
get the permission error and nothing changes), on the actor's own task (everyone may), and reads
scoped by the same table. Partners: only tasks on their own records, handed to themselves."""

import pytest
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.tasks import selectors
from guanxi.tasks.services import task_cancel, task_complete, task_create, task_reassign, task_update

from .factories import make_task

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
TEAM_WRITERS = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_MANAGER, Role.ADMIN})
READ_ALL = frozenset({Role.ADMIN, Role.ANALYST})


def state() -> dict:
    return rows_of("tasks")


@pytest.fixture
def world(db):
    team, other_team = TeamFactory(), TeamFactory()
    colleague = UserFactory(role=Role.AGENT, team=team)
    stranger = UserFactory(role=Role.AGENT, team=other_team)
    return {"team": team, "other_team": other_team, "colleague": colleague, "stranger": stranger,
            "task": make_task(assignee=colleague), "far": make_task(assignee=stranger)}


SERVICES = {
    "task_update": lambda a, w: task_update(actor=a, task=w["task"], subject="改"),
    "task_complete": lambda a, w: task_complete(actor=a, task=w["task"], outcome="好"),
    "task_cancel": lambda a, w: task_cancel(actor=a, task=w["task"], reason="不需要了"),
    "task_reassign": lambda a, w: task_reassign(actor=a, task=w["task"], assignee=w["stranger"], note="交接"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service_on_a_colleagues_task(world, role, service):
    actor = UserFactory(role=role, team=world["team"])
    if role in TEAM_WRITERS:
        SERVICES[service](actor, world)
        return
    before = state()
    with pytest.raises(PermissionDenied):
        SERVICES[service](actor, world)
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_every_role_works_on_its_own_tasks(world, role):
    actor = UserFactory(role=role, team=world["team"])
    task = task_create(actor=actor, kind="visit", subject="拜访", due_at=timezone.now() + timezone.timedelta(days=1))
    assert task.assignee == actor and task.team == world["team"] and task.created_by == actor
    task_update(actor=actor, task=task, subject="拜访客户")
    task_complete(actor=actor, task=task, outcome="完成")
    task_cancel(actor=actor, task=make_task(assignee=actor), reason="客户取消")
    handed = task_reassign(actor=actor, task=make_task(assignee=actor), team=world["team"], note="请组里接手")
    assert handed.assignee is None and handed.hand_overs.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_handing_a_task_to_someone_else(world, role):
    actor = UserFactory(role=role, team=world["team"])
    before = state()
    call = lambda: task_create(actor=actor, kind="call", subject="请回电", assignee=world["stranger"],  # noqa: E731
                               due_at=timezone.now() + timezone.timedelta(hours=3))
    if role == Role.PARTNER:
        with pytest.raises(PermissionDenied):
            call()
        assert state() == before
    else:
        task = call()
        assert task.team == world["other_team"]
        assert selectors.task_list(user=actor).filter(pk=task.pk).exists()  # its creator still sees it


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    before = state()
    for nobody in (None, UserFactory(role=Role.ADMIN, is_active=False)):
        with pytest.raises(PermissionDenied):
            SERVICES[service](nobody, world)
    assert state() == before
    SERVICES[service](SYSTEM, world)


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_scoped_by_the_table(world, role):
    actor = UserFactory(role=role, team=world["team"])
    own = make_task(assignee=actor)
    untaken = make_task(team=world["team"])
    seen = set(selectors.task_list(user=actor).values_list("pk", flat=True))
    expected = {own.pk, untaken.pk}
    if role in TEAM_WRITERS or role in READ_ALL:
        expected.add(world["task"].pk)
    if role in READ_ALL:
        expected.add(world["far"].pk)
    assert seen == expected
    if role not in READ_ALL:
        with pytest.raises(NotFound):
            selectors.task_get_for_user(user=actor, task_id=world["far"].pk)


def test_a_rep_works_on_the_tasks_of_customers_they_own(world):
    rep = UserFactory(role=Role.SALES_REP, team=TeamFactory())
    customer = make_customer(rep, name="李四")
    assert customer.owner_id == rep.pk
    task = make_task(assignee=world["stranger"], customer=customer)
    assert selectors.task_get_for_user(user=rep, task_id=task.pk, action="write") == task
    task_complete(actor=rep, task=task, outcome="已回访")


def test_partners_only_touch_tasks_on_their_own_records(world):
    partner = UserFactory(role=Role.PARTNER, team=TeamFactory())
    theirs = make_customer(partner, name="代理客户")
    others = make_customer(UserFactory(role=Role.SALES_REP), name="别人的客户")
    on_theirs = make_task(assignee=world["stranger"], customer=theirs)
    on_others = make_task(assignee=world["stranger"], customer=others)
    visible = set(selectors.task_list(user=partner).values_list("pk", flat=True))
    assert on_theirs.pk in visible and on_others.pk not in visible
    before = state()
    with pytest.raises(Exception) as refused:
        task_create(actor=partner, kind="visit", subject="拜访", customer=others,
                    due_at=timezone.now() + timezone.timedelta(days=1))
    assert getattr(refused.value, "status", None) == 422
    with pytest.raises(PermissionDenied):
        task_complete(actor=partner, task=on_others)
    assert state() == before
    task_create(actor=partner, kind="visit", subject="拜访", customer=theirs,
                due_at=timezone.now() + timezone.timedelta(days=1))


# ---------------------------------------------------------------- endpoints


def _endpoints(w) -> dict:
    pk = w["task"].pk
    return {
        "update_task": ("patch", f"/api/v1/tasks/{pk}", {"subject": "改"}),
        "complete_task": ("post", f"/api/v1/tasks/{pk}/complete", {"outcome": "好"}),
        "cancel_task": ("post", f"/api/v1/tasks/{pk}/cancel", {"reason": "不需要了"}),
        "reassign_task": ("post", f"/api/v1/tasks/{pk}/reassign", {"assignee": w["stranger"].pk}),
        "get_task": ("get", f"/api/v1/tasks/{pk}", None),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["update_task", "complete_task", "cancel_task", "reassign_task", "get_task"])
def test_every_role_and_endpoint(world, role, endpoint):
    method, url, body = _endpoints(world)[endpoint]
    client = client_for(UserFactory(role=role, team=world["team"]))
    allowed = TEAM_WRITERS | (READ_ALL if method == "get" else frozenset())
    before = state()
    if method == "post":
        response = post_json(client, url, body)
    elif method == "get":
        response = client.get(url)
    else:
        response = client.patch(url, data=body, content_type="application/json")
    if role in allowed:
        assert response.status_code == 200, (role, response.content)
    else:
        assert response.status_code in (403, 404), (role, response.status_code, response.content)
        assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_every_role_creates_its_own_task_through_the_api(world, role):
    client = client_for(UserFactory(role=role, team=world["team"]))
    response = post_json(client, "/api/v1/tasks", {"kind": "call", "subject": "回电",
                                                   "due_at": "2030-01-02T10:00:00+08:00"})
    assert response.status_code == 201, response.content
