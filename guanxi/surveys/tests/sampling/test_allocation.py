"""Allocation: worked examples of proportional and Neyman allocation, quotas, and its invariants."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guanxi.core.errors import ValidationFailed
from guanxi.surveys.sampling import NEYMAN, PROPORTIONAL, Quota, allocate, neyman_weights


def test_proportional_follows_the_population():
    assert allocate({"a": 600, "b": 300, "c": 100}, 100) == {"a": 60, "b": 30, "c": 10}


def test_neyman_matches_the_formula_on_a_worked_example():
    # n_h = n·N_h·S_h / Σ N·S: N = 400, 300, 300; S = 10, 20, 5 → N·S = 4000, 6000, 1500 (Σ 11,500);
    # n = 100 → 34.78, 52.17, 13.04 → 35, 52, 13 by largest remainder.
    population, sds = {"a": 400, "b": 300, "c": 300}, {"a": 10.0, "b": 20.0, "c": 5.0}
    assert allocate(population, 100, method=NEYMAN, sds=sds) == {"a": 35, "b": 52, "c": 13}


def test_neyman_gives_more_to_the_stratum_that_varies_more():
    sizes = allocate({"a": 1000, "b": 1000}, 300, method=NEYMAN, sds={"a": 1.0, "b": 2.0})
    assert sizes == {"a": 100, "b": 200}


def test_neyman_falls_back_to_proportional_where_the_spread_is_unknown():
    population = {"a": 500, "b": 300, "c": 200}
    assert allocate(population, 100, method=NEYMAN, sds={}) == allocate(population, 100)
    # b unknown: it takes the population-weighted mean spread of a and c, (500·1 + 200·3) / 700.
    weights = neyman_weights(population, {"a": 1.0, "b": None, "c": 3.0})
    assert weights["b"] == pytest.approx(300 * 1100 / 700)


def test_quotas_bound_a_stratum_and_the_rest_is_redistributed():
    sizes = allocate({"a": 500, "b": 500}, 100, quotas={"a": Quota(maximum=20)})
    assert sizes == {"a": 20, "b": 80}
    sizes = allocate({"a": 990, "b": 10}, 100, quotas={"b": Quota(minimum=8)})
    assert sizes == {"a": 92, "b": 8}


def test_a_stratum_never_gives_more_than_its_eligible_customers():
    sizes = allocate({"a": 500, "b": 500}, 100, eligible={"a": 500, "b": 10})
    assert sizes == {"a": 90, "b": 10}


@pytest.mark.parametrize(("size", "quotas", "code"), [
    (1001, {}, "sample_too_large"),
    (100, {"a": Quota(maximum=10), "b": Quota(maximum=10)}, "sample_too_large"),
    (10, {"a": Quota(minimum=8), "b": Quota(minimum=8)}, "quotas_exceed_sample"),
])
def test_impossible_allocations_are_refused(size, quotas, code):
    with pytest.raises(ValidationFailed) as error:
        allocate({"a": 500, "b": 500}, size, quotas=quotas)
    assert error.value.code == code


def test_bad_quota_is_refused():
    with pytest.raises(ValueError):
        Quota(minimum=5, maximum=4)


populations = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 5_000), min_size=1,
                              max_size=25)


@st.composite
def problems(draw):
    population = draw(populations)
    eligible = {h: draw(st.integers(0, n)) for h, n in population.items()}
    quotas = {}
    for h in population:
        if draw(st.booleans()):
            low = draw(st.integers(0, 50))
            quotas[h] = Quota(minimum=low, maximum=draw(st.one_of(st.none(), st.integers(low, low + 500))))
    sds = {h: draw(st.one_of(st.none(), st.floats(0, 10))) for h in population}
    size = draw(st.integers(0, sum(eligible.values()) + 10))
    return population, eligible, quotas, sds, size, draw(st.sampled_from([PROPORTIONAL, NEYMAN]))


@given(problems())
def test_sizes_sum_to_n_and_stay_within_every_bound(problem):
    population, eligible, quotas, sds, size, method = problem
    low = {h: min(quotas.get(h, Quota()).minimum, eligible[h]) for h in population}
    high = {h: min(eligible[h], quotas[h].maximum if h in quotas and quotas[h].maximum is not None else math.inf)
            for h in population}
    try:
        sizes = allocate(population, size, method=method, sds=sds, eligible=eligible, quotas=quotas)
    except ValidationFailed:
        assert size > sum(high.values()) or size < sum(low.values())
        return
    assert sum(sizes.values()) == size
    for h, n in sizes.items():
        assert low[h] <= n <= high[h] <= population[h]


@given(populations, st.data())
def test_proportional_without_bounds_is_within_one_customer_of_exact(population, data):
    total = sum(population.values())
    assume(total > 0)
    size = data.draw(st.integers(0, total))
    sizes = allocate(population, size)
    for h, n in sizes.items():
        assert abs(n - size * population[h] / total) < 1
