"""Which users and teams a caller may name in an input: staff any colleague, a partner only their own
team; the handlers answer 422 on the field for anyone else."""

import pytest

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.selectors import team_visible_to, user_visible_to
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of

pytestmark = pytest.mark.django_db
CALL = {"kind": "call", "subject": "回电", "due_at": "2030-03-11T10:00:00+08:00"}


@pytest.fixture
def world():
    ours, theirs = TeamFactory(kind=TeamKind.PARTNER), TeamFactory(kind=TeamKind.SALES)
    return {"partner": UserFactory(role=Role.PARTNER, team=ours),
            "colleague": UserFactory(role=Role.PARTNER, team=ours),
            "rep": UserFactory(role=Role.SALES_REP, team=theirs), "ours": ours, "theirs": theirs}


def test_staff_see_every_user_and_team(world):
    rep = world["rep"]
    assert user_visible_to(viewer=rep, user_id=world["partner"].pk) == world["partner"]
    assert team_visible_to(viewer=rep, team_id=world["ours"].pk) == world["ours"]


def test_a_partner_sees_only_their_own_team(world):
    partner = world["partner"]
    assert user_visible_to(viewer=partner, user_id=world["colleague"].pk) == world["colleague"]
    with pytest.raises(NotFound):
        user_visible_to(viewer=partner, user_id=world["rep"].pk)
    assert user_visible_to(viewer=partner, username=world["colleague"].username) == world["colleague"]
    with pytest.raises(NotFound):
        user_visible_to(viewer=partner, username=world["rep"].username)
    with pytest.raises(NotFound):
        team_visible_to(viewer=partner, team_id=world["theirs"].pk)


def test_inactive_users_only_when_asked(world):
    world["colleague"].is_active = False
    world["colleague"].save()
    assert user_visible_to(viewer=world["rep"], user_id=world["colleague"].pk)
    with pytest.raises(NotFound):
        user_visible_to(viewer=world["rep"], user_id=world["colleague"].pk, active_only=True)


def test_naming_a_hidden_user_in_an_input_is_a_422_and_writes_nothing(world):
    client = client_for(world["partner"])
    before = rows_of("tasks")
    response = post_json(client, "/api/v1/tasks", {**CALL, "assignee": world["rep"].pk})
    assert_error_body(response, 422, "assignee")
    response = post_json(client, "/api/v1/tasks", {**CALL, "team": world["theirs"].pk})
    assert_error_body(response, 422, "team")
    assert rows_of("tasks") == before
