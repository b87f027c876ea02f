"""Duplicate linkage trained and predicted on Spark (local mode) against the single-machine DuckDB path
on the same labelled records."""

import pytest
from django.test import override_settings

from guanxi.customers.linkage import records, scan, variants

from .test_linkage import _raw_rows

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    people, clusters = variants.labelled_people(300, duplicates=0.1, seed=11)
    truth = variants.true_pairs(clusters, list(range(1, len(people) + 1)))
    results = {}
    with override_settings(SPARK_WORK_DIR=str(tmp_path_factory.mktemp("spark"))):
        for engine in ("local", "spark"):
            con = records.duckdb_connect(threads=1)
            records.load_frame(con, _raw_rows(people))
            results[engine] = scan.run_linkage(threshold=0.8, con=con, load=False, engine=engine)
    return truth, results["local"], results["spark"]


def _pairs(result):
    return set(zip(result.pairs.left_id.tolist(), result.pairs.right_id.tolist(), strict=True))


def test_spark_finds_the_same_pairs_as_duckdb(both):
    truth, local, spark = both
    assert spark.trained and local.trained and spark.total == local.total == 300
    assert _pairs(spark) == _pairs(local)
    assert variants.precision_recall(_pairs(spark), truth) == variants.precision_recall(_pairs(local), truth)
    # The prior comes from deterministic rules (the same on both); u is sampled by each engine's own random
    # generator, so the probabilities agree closely rather than to the last digit.
    assert spark.model["probability_two_random_records_match"] == pytest.approx(
        local.model["probability_two_random_records_match"])
    merged = local.pairs.merge(spark.pairs, on=["left_id", "right_id"], suffixes=("_local", "_spark"))
    assert (merged.probability_local - merged.probability_spark).abs().max() < 0.01


def test_spark_explains_each_pair_by_the_same_field_levels(both):
    _, local, spark = both
    merged = local.pairs.merge(spark.pairs, on=["left_id", "right_id"], suffixes=("_local", "_spark"))
    for left, right in zip(merged.reasons_local, merged.reasons_spark, strict=True):
        assert {(r["field"], r["level"]) for r in left} == {(r["field"], r["level"]) for r in right}
