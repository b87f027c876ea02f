"""The data-mining workbench through its services and selectors, on generated customers with a planted
churn mechanism (complaints, unresolved breaches, falling usage): each kind of analysis learns, is
measured on a seeded holdout, explains itself, is reproducible by seed and is saved as a segment;
bad input and too little data are refused with a reason and leave nothing behind."""

import datetime as dt

import numpy as np
import pytest
import time_machine

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.churn.features import FEATURES
from guanxi.analytics.churn.synthetic import plant_customers
from guanxi.analytics.models import MiningAnalysis, MiningPrediction, MiningSelection
from guanxi.analytics.workbench import data as mining_data
from guanxi.analytics.workbench import selectors, services
from guanxi.analytics.workbench.catalogue import FEATURE_LABELS
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import rows_of
from guanxi.customers.models import Customer
from guanxi.segments.selectors import segment_members

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=90)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planted():
    planted = plant_customers(800, seed=5, cutoff=CUTOFF, horizon_days=90)
    # ARPU follows usage before the cut-off and complaints (a number target to predict)
    rng = np.random.default_rng(1)
    customers = list(Customer.objects.filter(pk__in=planted["ids"].tolist()).order_by("pk"))
    for c, complaints in zip(customers, planted["drivers"][:, 0], strict=True):
        c.arpu = round(40 + 60 * complaints + rng.normal(0, 5), 2)
    Customer.objects.bulk_update(customers, ["arpu"])
    return planted


@pytest.fixture
def analyst():
    return UserFactory(role=Role.ANALYST)


def _run(actor, django_capture_on_commit_callbacks, **data) -> MiningAnalysis:
    data = {"name": "试验", "params": {"seed": 3}, **data}
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.mining_analysis_create(actor=actor, data=data)
    analysis.refresh_from_db()
    return analysis


def test_classification_learns_the_planted_churn_and_names_its_drivers(planted, analyst,
                                                                         django_capture_on_commit_callbacks):
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="classification", target="churned")
    assert analysis.status == MiningAnalysis.Status.DONE, analysis.error
    m = analysis.metrics
    assert m["auc"] >= 0.75 and 0 <= m["accuracy"] <= 1 and m["deciles"][0]["lift"] > 1.5
    assert m["train_rows"] + m["holdout_rows"] == analysis.rows == 800
    assert m["holdout_rows"] == 200  # the default holdout is a quarter
    top3 = {r["feature"] for r in analysis.reasons["importance"][:3]}
    assert top3 & {"complaints_90d", "open_breaches", "breaches_90d", "usage_trend", "interactions_90d"}
    # every live customer is scored, ranked 1..n by probability
    scores = list(MiningPrediction.objects.filter(analysis=analysis).order_by("rank").values_list("score", "rank"))
    assert len(scores) == analysis.scored == Customer.objects.alive().exclude(lifecycle_stage="churned").count()
    assert [r for _s, r in scores] == list(range(1, len(scores) + 1))
    assert [s for s, _r in scores] == sorted((s for s, _r in scores), reverse=True)


def test_the_same_seed_gives_the_same_model_and_a_new_seed_a_new_split(planted, analyst,
                                                                     django_capture_on_commit_callbacks):
    runs = [_run(analyst, django_capture_on_commit_callbacks, kind="ranking", target="churned",
                 params={"seed": seed}) for seed in (4, 4, 5)]
    assert runs[0].metrics == runs[1].metrics and runs[0].reasons == runs[1].reasons
    ranks = [list(MiningPrediction.objects.filter(analysis=a).order_by("customer_id").values_list("rank", flat=True))
             for a in runs]
    assert ranks[0] == ranks[1]
    assert runs[2].metrics["auc"] != runs[0].metrics["auc"]
    # ranking labels are deciles of the score
    assert set(runs[0].metrics["label_counts"]) == {str(d) for d in range(1, 11)}


def test_prediction_of_arpu_is_measured_against_the_mean(planted, analyst, django_capture_on_commit_callbacks):
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="regression", target="arpu")
    assert analysis.status == "done", analysis.error
    assert analysis.metrics["r2"] > 0.5 and analysis.metrics["mae"] < analysis.metrics["baseline_mae"]
    assert len(analysis.metrics["scatter"]) == 200  # every holdout point, at most 300
    assert analysis.reasons["importance"][0]["feature"] in ("complaints_90d", "cases_90d")
    assert set(analysis.metrics["label_counts"]) <= {"1", "2", "3", "4", "5"}


def test_clustering_profiles_and_a_cluster_saved_as_a_segment(planted, analyst, django_capture_on_commit_callbacks):
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="clustering", params={"clusters": 3, "seed": 2},
                    features=["interactions_90d", "complaints_90d", "open_breaches", "usage_trend"])
    assert analysis.status == "done", analysis.error
    assert analysis.target == "" and -1 <= analysis.metrics["silhouette"] <= 1
    sizes = analysis.metrics["sizes"]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == analysis.scored
    profiles = analysis.reasons["clusters"]
    assert [p["cluster"] for p in profiles] == [1, 2, 3] and all(len(p["distinct"]) == 3 for p in profiles)
    assert set(profiles[0]["means"]) == {"interactions_90d", "complaints_90d", "open_breaches", "usage_trend"}
    segment = services.mining_segment_save(actor=analyst, analysis=analysis, kind="label", value=2, name="第二类客户")
    members = set(segment_members(segment=segment, user=analyst).values_list("pk", flat=True))
    assert len(members) == sizes[1] == segment.member_count
    assert members == set(MiningPrediction.objects.filter(analysis=analysis, label=2).values_list("customer_id",
                                                                                                    flat=True))
    assert segment.owner == analyst and segment.name == "第二类客户"


def test_the_top_n_saved_as_a_segment(planted, analyst, django_capture_on_commit_callbacks):
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="ranking", target="churned")
    assert analysis.status == "done", analysis.error
    segment = services.mining_segment_save(actor=analyst, analysis=analysis, kind="top", value=50, name="最可能投诉")
    assert segment.member_count == 50
    ranks = MiningPrediction.objects.filter(analysis=analysis, customer__in=segment_members(
        segment=segment, user=analyst)).values_list("rank", flat=True)
    assert sorted(ranks) == list(range(1, 51))
    assert MiningSelection.objects.get(segment=segment).members == 50


def test_the_catalogue_offers_the_churn_model_features_in_its_order():
    assert tuple(FEATURE_LABELS) == FEATURES


def test_bad_input_is_refused_and_stores_nothing(planted, analyst):
    before = rows_of("analytics", "segments")
    bad = [({"name": "", "kind": "classification", "target": "churned"}, "name"),
           ({"name": "a", "kind": "forecast", "target": "churned"}, "kind"),
           ({"name": "a", "kind": "regression", "target": "churned"}, "target"),
           ({"name": "a", "kind": "classification", "target": "nope"}, "target"),
           ({"name": "a", "kind": "ranking", "target": "bought_category", "target_option": "none"}, "target_option"),
           ({"name": "a", "kind": "clustering", "features": ["email"]}, "features"),
           ({"name": "a", "kind": "clustering", "params": {"clusters": 40}}, "params.clusters"),
           ({"name": "a", "kind": "clustering", "params": {"holdout": "x"}}, "params.holdout"),
           ({"name": "a", "kind": "clustering", "sql": "DROP"}, "sql")]
    for data, field in bad:
        with pytest.raises(ValidationFailed) as refused:
            services.mining_analysis_create(actor=analyst, data=data)
        assert field in refused.value.fields, (data, refused.value.fields)
    assert rows_of("analytics", "segments") == before


def test_only_analysts_run_analyses_and_save_segments(planted, analyst, django_capture_on_commit_callbacks):
    before = rows_of("analytics")
    for role in (Role.SALES_REP, Role.SERVICE_MANAGER, Role.AGENT):
        with pytest.raises(PermissionDenied):
            services.mining_analysis_create(actor=UserFactory(role=role), data={"name": "x", "kind": "clustering"})
    assert rows_of("analytics") == before
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="clustering")
    with pytest.raises(PermissionDenied):
        services.mining_segment_save(actor=UserFactory(role=Role.SALES_REP), analysis=analysis, kind="top", value=5,
                                     name="x")
    other = UserFactory(role=Role.ANALYST)  # another analyst's analyses are not listed
    assert not selectors.mining_analysis_list(user=other).filter(pk=analysis.pk).exists()


def test_too_little_data_fails_with_the_reason_and_keeps_nothing(analyst, django_capture_on_commit_callbacks):
    plant_customers(60, seed=9, cutoff=CUTOFF)
    analysis = _run(analyst, django_capture_on_commit_callbacks, kind="classification", target="churned")
    assert analysis.status == "failed"
    assert analysis.error == "数据不足，无法训练：60位客户，至少需要100位。", analysis.error
    assert not MiningPrediction.objects.filter(analysis=analysis).exists()
    with pytest.raises(Conflict):
        services.mining_segment_save(actor=analyst, analysis=analysis, kind="top", value=5, name="x")


def test_rows_outside_the_owner_scope_never_count(planted):
    rep = UserFactory(role=Role.SALES_REP)
    mine = planted["ids"][:150].tolist()
    Customer.objects.filter(pk__in=mine).update(owner=rep, team=None)
    ids = mining_data.scope_ids(rep)
    x, y = mining_data.training_data(target="churned", option="", now=NOW, horizon_days=90, ids=ids)
    assert sorted(x.index.tolist()) == sorted(mine) and len(y) == 150
    assert sorted(mining_data.current_features(now=NOW, ids=ids).index.tolist()) == sorted(mine)
    assert mining_data.scope_ids(UserFactory(role=Role.ANALYST)) is None
