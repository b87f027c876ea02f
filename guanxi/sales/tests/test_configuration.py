"""Pipeline stages: a stage no deal was ever in can be deleted; one in use only deactivated."""

import pytest

from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.core.testing import assert_error_body, client_for, rows_of
from guanxi.sales.models import OpportunityStage
from guanxi.sales.services.configuration import stage_delete, stage_save

from .factories import deal, sales_team, stage

pytestmark = pytest.mark.django_db


def test_an_unused_stage_is_deleted_and_a_used_one_only_deactivated(admin):
    spare = stage_save(actor=admin, name="样机试用", order=35, probability=60)
    stage_delete(actor=admin, stage=spare)
    assert not OpportunityStage.objects.filter(name="样机试用").exists()
    _team, _manager, (rep, _other) = sales_team()
    used = deal(rep).stage
    with pytest.raises(Conflict):
        stage_delete(actor=admin, stage=used)
    assert OpportunityStage.objects.filter(pk=used.pk).exists()


def test_the_api_refuses_with_reasons_and_changes_nothing(admin):
    _team, manager, (rep, _other) = sales_team()
    used = deal(rep).stage
    spare = stage_save(actor=admin, name="样机试用", order=35, probability=60)
    before = rows_of("sales")
    assert_error_body(client_for(manager).delete(f"/api/v1/opportunity-stages/{used.pk}"), 409)
    assert_error_body(client_for(rep).delete(f"/api/v1/opportunity-stages/{spare.pk}"), 403)
    with pytest.raises(PermissionDenied):
        stage_delete(actor=rep, stage=spare)
    assert rows_of("sales") == before
    assert client_for(manager).delete(f"/api/v1/opportunity-stages/{spare.pk}").status_code == 204


def test_the_last_won_stage_cannot_go(admin):
    with pytest.raises(Conflict):
        stage_delete(actor=admin, stage=stage("赢单"))
    assert OpportunityStage.objects.filter(name="赢单").exists()
