"""The linkage itself on a small labelled set: accuracy, determinism, explanations, one-record scoring."""

import json

import pytest

from guanxi.customers.linkage import records, scan, variants
from guanxi.customers.linkage.model import (
    COMPARISONS,
    LevelWeights,
    classify_pairs,
    reason_label,
    reasons_for,
    score_pairs,
)


def _raw_rows(people):
    return [(i + 1, p["kind"], p["name"], p["birth_date"].isoformat() if p["birth_date"] else None, p["gender"],
             p["id_number"], p["mobile"], p["email"], p["province"], p["city"], p["district"], None, None)
            for i, p in enumerate(people)]


@pytest.fixture(scope="module")
def labelled():
    people, clusters = variants.labelled_people(600, duplicates=0.1, seed=11)
    con = records.duckdb_connect(threads=2)
    records.load_frame(con, _raw_rows(people))
    result = scan.run_linkage(threshold=0.8, con=con, load=False)
    truth = variants.true_pairs(clusters, list(range(1, len(people) + 1)))
    return people, truth, result


def test_finds_the_labelled_duplicates_with_high_precision_and_recall(labelled):
    _, truth, result = labelled
    predicted = set(zip(result.pairs.left_id.tolist(), result.pairs.right_id.tolist(), strict=True))
    precision, recall = variants.precision_recall(predicted, truth)
    assert result.trained and result.total == 600
    assert precision >= 0.97, (precision, recall)
    assert recall >= 0.93, (precision, recall)


def test_pairs_are_ordered_above_threshold_and_explained(labelled):
    _, _, result = labelled
    pairs = result.pairs
    assert (pairs.left_id < pairs.right_id).all() and (pairs.probability >= 0.8).all()
    reasons = pairs.reasons.iloc[0]
    assert reasons and {"field", "label", "level", "weight"} <= set(reasons[0])
    fields = {c.field for c in COMPARISONS}
    assert all(r["field"] in fields and r["label"] for r in reasons)
    assert [abs(r["weight"]) for r in reasons] == sorted((abs(r["weight"]) for r in reasons), reverse=True)


def test_training_is_deterministic(labelled):
    people, _, first = labelled
    con = records.duckdb_connect(threads=2)
    records.load_frame(con, _raw_rows(people))
    again = scan.run_linkage(threshold=0.8, con=con, load=False)
    def parameters(model):
        return {(c["output_column_name"], level["label_for_charts"]): (level.get("m_probability"),
                                                                        level.get("u_probability"))
                for c in model["comparisons"] for level in c["comparison_levels"]}

    before, after = parameters(first.model), parameters(again.model)
    assert before.keys() == after.keys()
    for key, values in before.items():
        assert after[key] == tuple(v if v is None else pytest.approx(v, rel=1e-9) for v in values), key
    assert again.pairs[["left_id", "right_id"]].equals(first.pairs[["left_id", "right_id"]])


def test_prepare_record_agrees_with_the_scans_table():
    people, _ = variants.labelled_people(80, duplicates=0.25, seed=5)
    rows = _raw_rows(people)
    con = records.duckdb_connect(threads=1)
    records.load_frame(con, rows)
    records.prepare_records(con)
    table = con.execute("SELECT * FROM records ORDER BY unique_id").df()
    for row, stored in zip(rows, table.to_dict("records"), strict=True):
        one = records.prepare_record(dict(zip(records.RAW_COLUMNS, row, strict=True)))
        stored = {k: (None if v is None or v != v else v) for k, v in stored.items()}  # NaN → None
        assert one == stored


def test_single_record_scoring_uses_the_same_levels():
    base = records.prepare_record({"id": 1, "kind": "individual", "name": "张伟明", "mobile": "+8613812345678",
                                   "birth_date": "1980-05-04", "id_number": "", "email": "zwm@qq.com",
                                   "province": "广东省", "city": "广州市", "district": "天河区"})
    same = records.prepare_record({"id": 2, "kind": "individual", "name": "張偉明", "mobile": "+86 138-1234-5678",
                                   "birth_date": "1980-05-04", "email": "ZWM@QQ.COM", "province": "广东"})
    swapped = records.prepare_record({"id": 3, "kind": "individual", "name": "Zhang Mingwei",
                                      "mobile": "13812345679", "birth_date": "1980-04-05"})
    other = records.prepare_record({"id": 4, "kind": "individual", "name": "李娜", "mobile": "13900000000",
                                    "birth_date": "1991-01-01"})
    levels = classify_pairs(base, [same, swapped, other])
    assert levels[0] == {"name": "exact", "birth_date": "exact", "gender": None, "id_number": None,
                         "phone": "exact", "email": "exact", "address": "province"}
    assert (levels[1]["name"], levels[1]["phone"], levels[1]["birth_date"]) == ("swapped", "typo", "close")
    assert levels[2]["name"] == "different" and levels[2]["phone"] == "different"
    scores = score_pairs(base, [same, swapped, other])
    assert scores[0].probability > 0.99 and scores[2].probability < 0.01
    assert scores[0].probability > scores[1].probability > scores[2].probability
    assert scores[0].reasons[0]["weight"] > 0


def test_trained_weights_replace_the_defaults_and_labels_are_translated():
    settings = {"probability_two_random_records_match": 0.001, "comparisons": [
        {"output_column_name": "phone", "comparison_levels": [
            {"label_for_charts": "null", "is_null_level": True},
            {"label_for_charts": "exact", "m_probability": 0.5, "u_probability": 0.0005},
        ]},
    ]}
    weights = LevelWeights.from_settings(settings)
    assert weights.weights[("phone", "exact")] == pytest.approx(9.9658, abs=1e-3)
    assert weights.weights[("name", "exact")] == LevelWeights.defaults().weights[("name", "exact")]
    assert weights.prior == 0.001
    from django.utils import translation

    with translation.override("zh-hans"):
        assert reason_label("phone", "exact") == "手机号相同"
        reasons = reasons_for({"phone": "exact", "name": None}, weights)
    assert reasons == [{"field": "phone", "label": "手机号相同", "level": "exact", "weight": 9.97}]


def test_settings_for_spark_use_its_function_names_and_quoting():
    from guanxi.customers.linkage.model import settings_dict

    spark = json.dumps(settings_dict(dialect="spark"))
    duck = json.dumps(settings_dict())
    assert "jaro_winkler_similarity(" in duck and "jaro_winkler_similarity(" not in spark
    assert "jaro_winkler(`name_py_l`, `name_py_r`)" in spark and "damerau_levenshtein(`phone_l`" in spark
    assert '\\"' not in spark and "l.`phone` = r.`phone`" in spark


def test_names_differing_in_one_character_are_one_character_apart():
    """Characters, not UTF-8 bytes: 雪 and 琪 differ in two of their three bytes."""
    left = records.prepare_record({"id": 1, "kind": "individual", "name": "覃雪国", "mobile": "+8618185234809"})
    right = records.prepare_record({"id": 2, "kind": "individual", "name": "覃琪国", "mobile": "18185234809"})
    other = records.prepare_record({"id": 3, "kind": "individual", "name": "覃琪", "mobile": "18185234809"})
    levels = classify_pairs(left, [right, other])
    assert levels[0]["name"] == "one_character" and levels[1]["name"] != "one_character"
