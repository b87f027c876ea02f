"""The audit trail's manager class is built once per model (guanxi.core.history_manager), shown on teams."""

from unittest import mock

import pytest
from django.db.models import Manager

from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team
from guanxi.accounts.tests.factories import TeamFactory, UserFactory


@pytest.mark.django_db
def test_saves_reuse_one_history_manager_class_and_each_instance_reads_its_own_rows():
    first, second = TeamFactory(name="华东"), TeamFactory(name="华南")
    with mock.patch.object(Manager, "from_queryset", wraps=Manager.from_queryset) as built:
        first.name = "华东大区"
        first.save()
        UserFactory(role=Role.AGENT, team=second)
    assert built.call_count == 0
    assert type(first.history) is type(second.history) is type(Team.history)
    assert [row.name for row in first.history.order_by("history_id")] == ["华东", "华东大区"]
    assert [row.name for row in second.history.all()] == ["华南"]
    assert Team.history.count() == 3
