"""The model's arithmetic on constructed data whose answer is known (no database, fixed seeds)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from guanxi.offers import engine

FLOORS = (500.0, 200.0, 50.0)
DAY = dt.date(2025, 1, 1)


def inputs(groups) -> engine.Inputs:
    """groups: (count, is_org, arpu, [products in the order acquired]); every customer of a group
    acquires its products on consecutive days."""
    customers, holdings = [], []
    cid = hid = 0
    for count, is_org, arpu, products in groups:
        for _ in range(count):
            cid += 1
            customers.append((cid, int(is_org), arpu, 400, arpu * 12))
            for n, product in enumerate(products):
                hid += 1
                competitor = product.startswith("竞品")
                holdings.append((cid, product, product.removeprefix("竞品") if competitor else "", competitor,
                                 (DAY + dt.timedelta(days=n)).isoformat(), hid))
    return engine.Inputs(customers=pd.DataFrame(customers, columns=list(engine_columns())),
                         holdings=pd.DataFrame(holdings, columns=list(holding_columns())), tier_floors=FLOORS)


def engine_columns():
    return ("customer_id", "is_org", "arpu", "tenure_days", "spend_12m")


def holding_columns():
    return ("customer_id", "product", "category", "is_competitor", "started_on", "holding_id")


# Everyone holding 宽带 later takes IPTV; 彩铃 is the most popular product but never taken last by them.
BUNDLES = [(60, False, 80.0, ["宽带", "IPTV"]), (40, False, 60.0, ["5G", "彩铃"]), (100, False, 30.0, ["彩铃"]),
           (30, False, 40.0, ["彩铃", "宽带", "IPTV"])]


def test_the_latest_acquisition_is_held_back_per_customer():
    matrices = engine.build_matrices(inputs(BUNDLES))
    products = list(matrices.products)
    held_out = [products[i] if i >= 0 else None for i in matrices.held_out]
    assert held_out[:60] == ["IPTV"] * 60 and held_out[60:100] == ["彩铃"] * 40
    assert held_out[100:200] == [None] * 100  # one product: nothing to hold back
    assert held_out[200:] == ["IPTV"] * 30


def test_evaluation_finds_the_bundle_that_popularity_misses():
    matrices = engine.build_matrices(inputs(BUNDLES))
    folds = engine.holdout_folds(matrices, seed=1)
    assert [len(f) for f in folds] == [26] * 5  # the 130 customers with a latest acquisition
    metrics, counts = engine.evaluate(matrices, seed=1, tier_floors=FLOORS)
    assert counts == {"evaluated": 130}
    assert metrics["rules"] == {"hit_at_1": 1.0, "hit_at_3": 1.0}
    assert metrics["propensity"] == {"hit_at_1": 1.0, "hit_at_3": 1.0}
    # Popularity offers 彩铃 first to the 60 who only hold 宽带: a miss for each of them.
    assert metrics["popularity"]["hit_at_1"] == pytest.approx(round(70 / 130, 4))
    assert engine.best_algorithm(metrics) == "propensity"  # a tie goes to the first scorer


def test_past_the_cap_one_sampled_fold_is_evaluated(monkeypatch):
    monkeypatch.setattr(engine, "EVAL_MAX", 50)
    folds = engine.holdout_folds(engine.build_matrices(inputs(BUNDLES)), seed=1)
    assert len(folds) == 1 and len(folds[0]) == 50 and len(set(folds[0])) == 50


def test_rules_reason_names_the_antecedent_and_its_confidence():
    model, metrics = engine.train(inputs(BUNDLES), seed=1)
    model.algorithm = "rules"
    top = engine.suggest(model, held={"宽带"}, competitor=set(), is_org=False, arpu=80, tenure_days=400,
                         spend_12m=960)[0]
    assert (top.product, top.because, top.similar) == ("IPTV", "宽带", 90)
    assert top.share == pytest.approx(1.0)
    assert metrics["customers"] == 230 and metrics["evaluated"] == 130


def test_propensity_suggestion_is_a_probability_with_the_strongest_held_item():
    model, _ = engine.train(inputs(BUNDLES), seed=1)
    model.algorithm = "propensity"
    top = engine.suggest(model, held={"宽带"}, competitor=set(), is_org=False, arpu=80, tenure_days=400,
                         spend_12m=960)[0]
    assert top.product == "IPTV" and top.because == "宽带" and 0.5 < top.share < 1.0


def test_held_and_declined_products_are_never_offered():
    model, _ = engine.train(inputs(BUNDLES), seed=1)
    offered = engine.suggest(model, held={"宽带"}, competitor=set(), is_org=False, arpu=80, tenure_days=400,
                             spend_12m=0, excluded={"IPTV"}, limit=5)
    assert {s.product for s in offered} == {"彩铃", "5G"}


def test_a_competitor_category_can_be_the_reason():
    groups = [(50, False, 60.0, ["竞品宽带", "IPTV"]), (50, False, 60.0, ["彩铃"]), (20, False, 60.0, ["彩铃", "5G"])]
    model, _ = engine.train(inputs(groups), seed=1)
    model.algorithm = "rules"
    top = engine.suggest(model, held=set(), competitor={"宽带"}, is_org=False, arpu=60, tenure_days=1, spend_12m=0)[0]
    assert (top.product, top.because, top.because_competitor) == ("IPTV", "宽带", True)


def test_the_model_survives_its_archive():
    model, _ = engine.train(inputs(BUNDLES), seed=1)
    again = engine.Model.from_bytes(model.to_bytes())
    assert again.algorithm == model.algorithm and list(again.products) == list(model.products)
    np.testing.assert_allclose(again.coef, model.coef)


def test_training_is_deterministic_for_a_seed():
    first, _ = engine.train(inputs(BUNDLES), seed=7)
    second, _ = engine.train(inputs(BUNDLES), seed=7)
    np.testing.assert_array_equal(first.coef, second.coef)
