"""The lifetimes wrapper: published CDNOW figures, lifetimes' own CLV sum, and edge cases."""

import warnings

import numpy as np
import pandas as pd
import pytest

from guanxi.segments import clv

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary_data_with_monetary_value()


def test_the_cdnow_data_ships_with_lifetimes(cdnow):
    assert len(cdnow) == 2357 and len(load_cdnow_summary()) == 2357
    assert list(cdnow.columns) == ["frequency", "recency", "T", "monetary_value"]


def test_bgnbd_recovers_the_published_cdnow_parameters(cdnow):
    model = clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=0.01), name


def test_gamma_gamma_recovers_the_published_cdnow_parameters(cdnow):
    repeat = cdnow[cdnow["frequency"] > 0]
    model = clv.fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    published = {"p": 6.25, "q": 3.74, "v": 15.45}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=0.01), name


def test_discounted_clv_is_lifetimes_own_sum(cdnow):
    bg = clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    repeat = cdnow[cdnow["frequency"] > 0]
    gg = clv.fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    theirs = gg.customer_lifetime_value(bg, repeat["frequency"], repeat["recency"], repeat["T"],
                                        repeat["monetary_value"], time=12, discount_rate=0.01, freq="W")
    value = gg.conditional_expected_average_profit(repeat["frequency"], repeat["monetary_value"])
    ours = clv.discounted_clv(bg, repeat["frequency"].to_numpy(), repeat["recency"].to_numpy(),
                              repeat["T"].to_numpy(), value.to_numpy(), months=12, discount=0.01,
                              unit_per_month=4.345)
    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-9)


def test_fit_predict_on_cdnow(cdnow):
    result = clv.clv_fit_predict(frequency=cdnow["frequency"], recency=cdnow["recency"], age=cdnow["T"],
                                 monetary=cdnow["monetary_value"], resolution=0)
    assert result.fitted and result.penalizer == 0.0
    assert result.bgnbd["r"] == pytest.approx(0.243, rel=0.01)
    assert result.gamma_gamma["*"]["q"] == pytest.approx(3.74, rel=0.01)
    frame = result.frame
    assert frame.index.equals(cdnow.index)
    assert frame["p_alive"].between(0, 1).all()
    assert (frame["clv_36m"] > frame["clv_12m"]).all() and (frame["clv_12m"] > 0).all()
    # The expected purchases are lifetimes' own prediction at 12 months.
    bg = clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    expected = bg.conditional_expected_number_of_purchases_up_to_time(12 * clv.WEEKS_PER_MONTH, cdnow["frequency"],
                                                                      cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(frame["expected_purchases_12m"], expected, rtol=1e-6)


def test_rounding_histories_to_a_day_changes_next_to_nothing(cdnow):
    args = {"frequency": cdnow["frequency"], "recency": cdnow["recency"], "age": cdnow["T"],
            "monetary": cdnow["monetary_value"]}
    exact = clv.clv_fit_predict(**args, resolution=0).frame
    daily = clv.clv_fit_predict(**args, resolution=1 / 7).frame
    assert daily["clv_36m"].sum() == pytest.approx(exact["clv_36m"].sum(), rel=0.001)
    relative = (daily["clv_36m"] - exact["clv_36m"]).abs() / exact["clv_36m"]
    assert relative.quantile(0.99) < 0.005


def _frame(frequency, recency, age, monetary):
    return {"frequency": pd.Series(frequency, dtype=float), "recency": pd.Series(recency, dtype=float),
            "age": pd.Series(age, dtype=float), "monetary": pd.Series(monetary, dtype=float)}


def test_customers_with_one_purchase_only_give_no_clv():
    result = clv.clv_fit_predict(**_frame([0] * 50, [0] * 50, np.linspace(1, 50, 50), [0] * 50))
    assert not result.fitted and "repeat purchase" in result.reason and result.frame.empty


def test_repeat_customers_who_spent_nothing_give_no_clv():
    result = clv.clv_fit_predict(**_frame([3] * 40, [10] * 40, [20] * 40, [0] * 40))
    assert not result.fitted and "positive spend" in result.reason


def test_every_purchase_on_the_same_day_gives_no_clv():
    result = clv.clv_fit_predict(**_frame([2] * 40, [0] * 40, [0] * 40, [10] * 40))
    assert not result.fitted and "today" in result.reason


def test_a_fit_that_fails_everywhere_is_reported_not_invented(monkeypatch):
    def never(*args, penalizer):
        raise ValueError("BG/NBD did not fit: no")

    monkeypatch.setattr(clv, "fit_bgnbd", never)
    rng = np.random.default_rng(1)
    result = clv.clv_fit_predict(**_frame(rng.integers(1, 5, 60), [5] * 60, [10] * 60, [10] * 60))
    assert not result.fitted and result.reason == "BG/NBD did not fit: no"


def test_a_few_zero_spend_and_one_time_buyers_among_others(cdnow):
    data = cdnow.copy()
    data.iloc[:5, data.columns.get_loc("monetary_value")] = 0.0  # repeat buyers who spent nothing
    result = clv.clv_fit_predict(frequency=data["frequency"], recency=data["recency"], age=data["T"],
                                 monetary=data["monetary_value"])
    assert result.fitted
    one_time = data["frequency"] == 0
    frame = result.frame
    # One-time buyers get the population's average value; nobody gets a negative or missing CLV.
    assert frame.loc[one_time, "expected_avg_value"].nunique() == 1
    assert frame["clv_36m"].notna().all() and (frame["clv_36m"] >= 0).all()


def test_gamma_gamma_per_group_with_pooled_fallback(cdnow):
    groups = pd.Series(np.where(np.arange(len(cdnow)) % 2 == 0, "even", "odd"), index=cdnow.index)
    groups.iloc[:3] = "tiny"  # too few to fit alone: uses the pooled fit
    result = clv.clv_fit_predict(frequency=cdnow["frequency"], recency=cdnow["recency"], age=cdnow["T"],
                                 monetary=cdnow["monetary_value"], groups=groups)
    assert set(result.gamma_gamma) == {"even", "odd", "tiny"}
    assert result.gamma_gamma["even"] != result.gamma_gamma["odd"]
    assert result.gamma_gamma["tiny"]["p"] == pytest.approx(6.25, rel=0.01)  # the pooled parameters
