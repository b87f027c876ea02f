"""Churn early warning through its services and selectors on generated customers with a planted
mechanism (complaints, unresolved breaches, falling usage): the model finds it, names it among
each affected customer's reasons, is reproducible by seed, refuses too few churners and keeps
the old model; scores are read within the reader's scope."""

import datetime as dt

import numpy as np
import pytest
import time_machine
from django.utils import translation

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.churn import model as engine
from guanxi.analytics.churn import selectors, services
from guanxi.analytics.churn.features import FEATURES
from guanxi.analytics.churn.synthetic import PLANTED, drivers_recovered, plant_customers, planted_frame
from guanxi.analytics.models import ChurnModel, ChurnScore
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import rows_of
from guanxi.customers.models import Customer
from guanxi.tasks.models import Task

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=90)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planted():
    return plant_customers(1500, seed=3, cutoff=CUTOFF, horizon_days=90)


def _train(**kwargs) -> ChurnModel:
    return services.churn_model_train(actor=kwargs.pop("actor", SYSTEM), cutoff=CUTOFF, seed=kwargs.pop("seed", 7),
                                      min_churners=kwargs.pop("min_churners", 20), **kwargs)


def test_the_planted_mechanism_is_learnt_scored_and_explained(planted):
    # given customers whose churn was planted; when a model is trained and everybody scored
    model = _train()
    # then it ranks well on the holdout and its quality figures are complete
    assert model.status == ChurnModel.Status.ACTIVE
    assert model.churners == int(planted["churned"].sum()) and model.rows == 1500
    assert model.metrics["auc"] >= 0.8
    assert len(model.metrics["deciles"]) == 10 and model.metrics["deciles"][0]["lift"] > 1.5
    assert model.metrics["reliability"]
    assert (model.data_from, model.data_to) == ((CUTOFF - dt.timedelta(days=180)).date(), NOW.date())
    # scoring as of the cut-off gives each customer a probability, a decile and its reasons
    assert services.churn_scores_refresh(actor=SYSTEM, as_of=CUTOFF) == 1500
    scores = {s.customer_id: s for s in ChurnScore.objects.all()}
    assert {s.model_version for s in scores.values()} == {model.version}
    assert all(s.data_from == model.data_from and s.params == model.params for s in scores.values())
    features = list(FEATURES)
    reasons = np.array([[features.index(r["feature"]) for r in scores[int(cid)].reasons] + [-1] * (3 - len(
        scores[int(cid)].reasons)) for cid in planted["ids"]])
    assert drivers_recovered(reasons, planted["drivers"], features) >= 0.9
    # the words of a complaint-driven customer's reasons name the complaints (Chinese by default)
    i = int(np.argmax(planted["drivers"][:, 0] & ~planted["drivers"][:, 1] & ~planted["drivers"][:, 2]))
    with translation.override("zh-hans"):
        words = selectors.reasons_in_words(scores[int(planted["ids"][i])])
    assert any("投诉" in w for w in words), words
    assert set(PLANTED) == {"complaints", "open_breaches", "falling_usage"}


def test_the_pipeline_is_reproducible_by_seed(planted):
    analyst = UserFactory(role=Role.ANALYST)
    first, second, other = _train(seed=5), _train(seed=5, actor=analyst), _train(seed=6)
    assert first.booster == second.booster and first.metrics == second.metrics
    assert first.calibration == second.calibration
    assert other.metrics != first.metrics
    assert ChurnModel.objects.filter(status=ChurnModel.Status.ACTIVE).get() == other


def test_too_few_churners_is_refused_and_the_old_model_kept(planted):
    old = _train()
    refused = _train(min_churners=10_000)
    assert refused.status == ChurnModel.Status.REFUSED
    assert "10000" in refused.reason.replace(",", "") or "20000" in refused.reason.replace(",", "")
    assert not refused.booster
    assert selectors.churn_model_active() == old


def test_the_at_risk_list_becomes_retention_tasks_once(planted):
    owner = UserFactory(role=Role.SALES_REP)
    Customer.objects.filter(pk__in=planted["ids"].tolist()).update(owner=owner, team=owner.team)
    _train()
    services.churn_scores_refresh(actor=SYSTEM, as_of=CUTOFF)
    made = services.churn_retention_tasks_create(actor=SYSTEM, now=NOW)
    assert made == ChurnScore.objects.filter(decile=1).count() == 150
    assert Task.objects.filter(assignee=owner, status="open").count() == 150
    assert services.churn_retention_tasks_create(actor=SYSTEM, now=NOW) == 0  # still open: not again


def test_scores_are_read_within_the_customer_scope(planted):
    _train()
    services.churn_scores_refresh(actor=SYSTEM, as_of=CUTOFF)
    rep = UserFactory(role=Role.SALES_REP)
    mine = planted["ids"][:10].tolist()
    Customer.objects.filter(pk__in=mine).update(owner=rep, team=None)
    assert sorted(s.customer_id for s in selectors.churn_score_list(user=rep)) == sorted(mine)
    assert set(selectors.churn_scores_for_customers(planted["ids"][:20].tolist(), user=rep)) == set(mine)
    assert len(selectors.churn_scores_for_customers(planted["ids"][:20].tolist())) == 20
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        selectors.churn_score_list(user=agent)
    assert selectors.churn_scores_for_customers(mine, user=agent) == {}


@pytest.mark.parametrize("role", [Role.AGENT, Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER])
def test_only_analysts_train(role):
    before = rows_of("analytics")
    with pytest.raises(PermissionDenied):
        services.churn_model_train(actor=UserFactory(role=role), cutoff=CUTOFF)
    assert rows_of("analytics") == before


def test_scoring_with_merged_leaf_tables_equals_the_per_tree_attributions(monkeypatch):
    # given a model on generated customers
    x, y, _drivers = planted_frame(20_000, seed=5)
    fitted = engine.fit(x, y, seed=5)
    values = x.to_numpy(dtype="float64")
    table, bias = engine.contribution_table(fitted.booster)
    leaves = fitted.booster.predict(values, pred_leaf=True).astype("int64")
    expected = np.zeros((len(values), table.shape[2]))
    for t in range(table.shape[0]):
        expected += table[t][leaves[:, t]]
    # when scored through the merged tables (in several chunks)
    monkeypatch.setattr(engine, "CHUNK", 4096)
    got = engine.contributions(engine.compile_scorer(fitted.booster), values, threads=1)
    # then each feature's attribution is the per-tree one, and they add up to LightGBM's raw score
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1) + bias, fitted.booster.predict(values, raw_score=True), atol=1e-9)
    probability, reasons, strength = engine.predict(fitted.booster, x, fitted.calibration)
    order = np.argsort(-expected, axis=1, kind="stable")[:, :3]
    assert (reasons == np.where(np.take_along_axis(expected, order, axis=1) > 0, order, -1)).all()
    assert probability.shape == (len(values),) and strength.shape == (len(values), 3)


def test_a_model_whose_trees_never_split_scores_its_bias():
    # given a booster on too few rows to split (a small company's first model can be so)
    import lightgbm as lgb

    x, y, _drivers = planted_frame(60, seed=1)
    booster = lgb.train({"objective": "binary", "min_data_in_leaf": 100, "verbosity": -1, "seed": 1},
                        lgb.Dataset(x.to_numpy(), label=y), num_boost_round=3)
    # when scored, every row gets the raw score and no reason
    got = engine.contributions(engine.compile_scorer(booster), x.to_numpy(dtype="float64"), threads=1)
    _table, bias = engine.contribution_table(booster)
    np.testing.assert_allclose(got.sum(axis=1) + bias, booster.predict(x.to_numpy(), raw_score=True), atol=1e-9)
    assert (engine.predict(booster, x, {"x": [0.0, 1.0], "y": [0.0, 1.0]})[1] == -1).all()
