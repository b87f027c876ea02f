"""Driver analysis recovers the effects planted in generated answers; refusals; the chart's data."""

import json

import numpy as np
import pandas as pd
import pytest

from guanxi.surveys.analysis import driver_analysis, importance_chart, lmg_shares
from guanxi.surveys.analysis.synthetic import PLANTED, generate_responses

DRIVERS = list(PLANTED)


@pytest.fixture(scope="module")
def result():
    return driver_analysis(generate_responses(20_000, seed=5), drivers=DRIVERS, confidence=0.999)


def test_every_planted_effect_lies_in_its_interval(result):
    recovered = {e.name: e for e in result.drivers}
    for name, beta in PLANTED.items():
        effect = recovered[name]
        assert effect.ci_low <= beta <= effect.ci_high, (name, beta, effect)


def test_the_drivers_that_matter_are_significant_and_security_is_not(result):
    recovered = {e.name: e for e in result.drivers}
    assert recovered["security"].p_value > 0.01
    assert all(recovered[n].p_value < 1e-6 for n, beta in PLANTED.items() if beta)
    assert recovered["contacts_per_case"].coef < 0 and recovered["service_attitude"].coef > 0


def test_importance_ranks_service_attitude_first_and_shares_add_up(result):
    assert result.drivers[0].name == "service_attitude"
    assert sum(e.r2_share for e in result.drivers) == pytest.approx(1.0)
    assert 0.6 < result.r2 < 0.9 and result.n == 20_000


def test_standardised_coefficient_is_the_coefficient_in_standard_deviations():
    frame = generate_responses(5_000, seed=2)
    out = driver_analysis(frame, drivers=["service_quality", "waiting_time"])
    effect = next(e for e in out.drivers if e.name == "waiting_time")
    scale = frame["waiting_time"].std(ddof=0) / frame["overall"].std(ddof=0)
    assert effect.std_coef == pytest.approx(effect.coef * scale)


def test_lmg_of_uncorrelated_drivers_is_their_squared_correlation():
    # With uncorrelated drivers each driver's R² gain is r², whatever the order.
    correlation = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.0], [0.3, 0.0, 1.0]])
    assert lmg_shares(correlation) == pytest.approx([0.36 / 0.45, 0.09 / 0.45])


def test_unanswered_measures_are_left_out_row_by_row():
    frame = generate_responses(3_000, seed=3, missing_share=0.1)
    out = driver_analysis(frame, drivers=DRIVERS)
    assert out.dropped == len(frame) - out.n > 0 and out.reason is None


def test_too_few_answers_are_refused_with_a_reason():
    frame = generate_responses(130, seed=4)
    out = driver_analysis(frame, drivers=DRIVERS)  # 10 per coefficient: 140 needed
    assert (out.reason, out.n, out.min_n, out.drivers, out.r2) == ("sample_too_small", 130, 140, [], None)
    assert driver_analysis(frame.iloc[:0], drivers=DRIVERS).reason == "no_answers"


def test_a_driver_that_does_not_vary_or_duplicates_another_is_refused():
    frame = generate_responses(1_000, seed=4)
    assert driver_analysis(frame.assign(security=3.0), drivers=DRIVERS).reason_detail == ["security"]
    twin = frame.assign(twin=frame["waiting_time"] * 60)
    assert driver_analysis(twin, drivers=["waiting_time", "twin"]).reason == "collinear_drivers"


def test_bad_arguments():
    frame = generate_responses(200, seed=1)
    with pytest.raises(ValueError):
        driver_analysis(frame, drivers=["nope"])
    with pytest.raises(ValueError):
        driver_analysis(frame, drivers=[])


def test_chart_is_plain_data_with_the_largest_share_on_top(result):
    labels = {"service_attitude": "服务态度"}
    chart = importance_chart(result, title="驱动因素")
    json.dumps(chart, ensure_ascii=False)
    bars = chart["series"][0]["data"]
    assert chart["yAxis"]["data"][-1] == "service_attitude" and len(bars) == len(DRIVERS)
    assert sum(b["value"] for b in bars) == pytest.approx(100, abs=0.5)
    named = driver_analysis(generate_responses(2_000, seed=1), drivers=DRIVERS, labels=labels)
    assert "服务态度" in importance_chart(named)["yAxis"]["data"]
    refused = driver_analysis(pd.DataFrame({"overall": [], "x": []}), drivers=["x"])
    assert importance_chart(refused)["series"][0]["data"] == []
