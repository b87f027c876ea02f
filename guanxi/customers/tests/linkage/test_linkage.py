"""The linkage itself on a small labelled set: accuracy, determinism, explanations, one-record scoring."""

import json
import random

import duckdb
import pandas as pd
import pytest

from guanxi.customers.linkage import model, records, scan, variants
from guanxi.customers.linkage.model import (
    COMPARISONS,
    RECORD_COLUMNS,
    LevelWeights,
    classify_pairs,
    duckdb_functions,
    jaro_winkler_similarity,
    level_key_for_gamma,
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


# --- the levels in Python equal the scan's SQL ---------------------------------------------------

MUTATIONS = ("same", "same", "replace", "swap", "delete", "insert", "other", "none")
POOLS = {
    "kind": ["individual"], "gender": ["M", "F", None],
    "name_hanzi": ["王小明", "王晓明", "李明", "小明王", "张伟", "覃雪国", "覃琪国", None],
    "name_py": ["wangxiaoming", "wangxiaomin", "liming", "xiaomingwang", "zhangwei", "qinxueguo", "wxm"],
    "name_sorted": ["mingwangxiao", "liming", "weizhang", "guoqinxue"], "name_init": ["wxm", "lm", "zw", "qxg"],
    "org_key": [None], "dob": ["1990-01-02", "1990-02-01", "1991-01-02", "1980-12-31", "2001-11-10"],
    "id_number": ["330106199001021234", "33010619900102123X", "110101198012310011"],
    "id17": ["33010619900102123", "11010119801231001"],
    "phone": ["+8613812345678", "+8613812345687", "+8613912345678", "+8618185234809"],
    "phone_tail": ["5678", "4809"],
    "email": ["wxm@qq.com", "wxm@163.com", "wangxm@qq.com", "wxn@qq.com", "王小明@例子.cn"],
    "email_local": ["wxm", "wangxm", "wxn"],
    "province": ["广东省", "浙江省", None], "city": ["广州市", "杭州市"], "district": ["天河区", "西湖区"],
}


def _mutated(value, how: str, rng, pool):
    if how == "none" or value is None:
        return None if how == "none" else rng.choice(pool)
    if how == "other":
        return rng.choice(pool)
    i = rng.randrange(len(value)) if value else 0
    if how == "replace" and value:
        return value[:i] + rng.choice("0123456789ax王") + value[i + 1:]
    if how == "swap" and len(value) > 1:
        i = min(i, len(value) - 2)
        return value[:i] + value[i + 1] + value[i] + value[i + 2:]
    if how == "delete" and value:
        return value[:i] + value[i + 1:]
    if how == "insert":
        return value[:i] + rng.choice("0123456789x") + value[i:]
    return value


def _pairs(count: int, seed: int) -> list[tuple[dict, dict]]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        left = {column: rng.choice(pool) for column, pool in POOLS.items()}
        right = {column: _mutated(left[column], rng.choice(MUTATIONS), rng, pool) for column, pool in POOLS.items()}
        pairs.append((left, right))
    return pairs


def _levels_by_sql(pairs: list[tuple[dict, dict]]) -> list[dict]:
    """The levels as the scan's SQL gives them: splink's CASE per comparison, on DuckDB."""
    con = duckdb.connect()
    duckdb_functions(con)
    columns = [c for c in RECORD_COLUMNS if c != "unique_id"]

    def text(record):
        return [None if record.get(c) is None else str(record[c]) for c in columns]

    frame = pd.DataFrame([[n, *text(left), *text(right)] for n, (left, right) in enumerate(pairs)],
                         columns=["n", *(f"{c}_{side}" for side in "lr" for c in columns)], dtype=object)
    con.register("pairs", frame)
    cases = []
    for comparison in COMPARISONS:
        top = len(comparison.levels)
        whens = [f"WHEN {model._null_sql(comparison)} THEN -1",
                 *(f"WHEN {level.sql} THEN {top - i}" for i, level in enumerate(comparison.levels))]
        cases.append(f"CASE {' '.join(whens)} ELSE 0 END")
    rows = con.execute(f"SELECT {', '.join(cases)} FROM pairs ORDER BY n").fetchall()  # nosec B608  # the model's own SQL
    return [{c.field: level_key_for_gamma(c.field, g) for c, g in zip(COMPARISONS, row, strict=True)} for row in rows]


def _python_levels(pairs):
    return [classify_pairs(left, [right])[0] for left, right in pairs]


def test_the_levels_in_python_equal_the_scan_s_sql_on_generated_pairs():
    pairs = _pairs(5_000, seed=20261206)
    by_sql = _levels_by_sql(pairs)
    assert _python_levels(pairs) == by_sql
    # every level of every comparison (and its null and else) was reached, so each condition was compared
    reached = {(field, level) for levels in by_sql for field, level in levels.items()}
    expected = {(c.field, key) for c in COMPARISONS for key in (None, "different", *(lv.key for lv in c.levels))}
    assert expected <= reached, expected - reached


def test_the_levels_in_python_equal_the_scan_s_sql_on_labelled_people(labelled):
    people = labelled[0][:80]
    prepared = [records.prepare_record({**p, "id": i}) for i, p in enumerate(people)]
    pairs = [(a, b) for a in prepared for b in prepared]
    assert _python_levels(pairs) == _levels_by_sql(pairs)


def test_jaro_winkler_equals_duckdb_s_to_the_last_bit():
    rng = random.Random(5)
    pairs = []
    for alphabet in ("abcdeng", "ab", "abcdefghijklmnopqrstuvwxyz.@0123456789", "王小明ab@"):
        for _ in range(5_000):
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
            pairs.append((a, _mutated(a, rng.choice(MUTATIONS[:6]), rng, [""])))
    con = duckdb.connect()
    frame = pd.DataFrame([(n, a, b) for n, (a, b) in enumerate(pairs)], columns=["n", "a", "b"], dtype=object)
    con.register("t", frame)
    expected = [row[0] for row in con.execute("SELECT jaro_winkler_similarity(a, b) FROM t ORDER BY n").fetchall()]
    assert [jaro_winkler_similarity(a, b) for a, b in pairs] == expected
