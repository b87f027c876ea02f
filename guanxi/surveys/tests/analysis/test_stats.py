"""CSAT, NPS and mean scores against worked examples; the too-small-a-sample rule."""

import math

import numpy as np
import pytest

from guanxi.surveys.analysis import csat, mean_score, min_sample, nps


def test_the_rule_needs_97_answers_for_every_measure_at_95_percent():
    # worst case z·σ/√n ≤ 10 % of the range: (1.96·0.5/0.1)² = 96.04 → 97
    assert min_sample(worst_sd=0.5, scale_range=1.0) == 97
    assert csat([5] * 96).reason == "sample_too_small" and csat([5] * 97).is_shown
    assert nps([10] * 96).reason == "sample_too_small" and nps([10] * 97).is_shown
    assert mean_score([3] * 96).reason == "sample_too_small" and mean_score([3] * 97).is_shown


def test_csat_worked_example():
    # 400 answers, 320 of them 4 or 5: 80 %, margin 1.96·√(0.8·0.2/400) = 3.92 points
    figure = csat([5] * 200 + [4] * 120 + [3] * 50 + [1] * 30)
    assert figure.n == 400 and figure.value == pytest.approx(80.0)
    assert figure.moe == pytest.approx(3.92, abs=0.01)
    assert (figure.ci_low, figure.ci_high) == (pytest.approx(76.08, abs=0.01), pytest.approx(83.92, abs=0.01))


def test_nps_worked_example():
    # 100 answers: 50 promoters, 30 passives, 20 detractors → NPS 30;
    # variance 0.5 + 0.2 − 0.3² = 0.61, margin 1.96·√(0.61/100) = 15.31 points
    figure = nps([10] * 30 + [9] * 20 + [8] * 20 + [7] * 10 + [6] * 10 + [0] * 10)
    assert figure.value == pytest.approx(30.0)
    assert figure.moe == pytest.approx(15.31, abs=0.01)
    assert figure.ci_low == pytest.approx(14.69, abs=0.01)


def test_mean_score_worked_example():
    # 200 answers, half 3 and half 5: mean 4, s = √(200/199) ≈ 1.0025, t(199) = 1.9720 → ±0.1398
    figure = mean_score([3] * 100 + [5] * 100)
    assert figure.value == pytest.approx(4.0)
    assert figure.moe == pytest.approx(1.97196 * math.sqrt(200 / 199) / math.sqrt(200), abs=1e-4)


def test_a_small_sample_gives_a_reason_and_no_number_even_when_unanimous():
    figure = csat([5, 5, 5, 5, 5])
    assert figure.value is None and figure.moe is None and figure.ci_low is None
    assert (figure.reason, figure.n, figure.min_n) == ("sample_too_small", 5, 97)
    assert nps([]).reason == "no_answers"
    assert figure.as_dict()["reason"] == "sample_too_small"


def test_a_stricter_margin_asks_for_more_answers():
    answers = list(np.random.default_rng(1).integers(1, 6, 300))
    assert csat(answers).is_shown
    strict = csat(answers, max_moe_share=0.05)
    assert strict.reason == "sample_too_small" and strict.min_n == 385


def test_unanswered_are_ignored_and_out_of_range_refused():
    assert csat([5.0] * 97 + [float("nan")] * 3).n == 97
    with pytest.raises(ValueError):
        csat([6] * 100)
    with pytest.raises(ValueError):
        nps([11] * 100)
