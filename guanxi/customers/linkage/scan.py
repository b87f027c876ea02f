"""One linkage run over the whole customer base with splink on DuckDB: load, normalise, train, predict.

Steps (each reported through `on_progress` as a percentage):
1. stream live customers into DuckDB and normalise them (records.py);
2. train: u probabilities by random sampling of record pairs, the prior from deterministic rules
   (same phone and name, same ID number), m probabilities by expectation maximisation on two
   blocking rules (same phone; same name and birth date) - every random step is seeded, so the
   same data gives the same model;
3. predict: compare the pairs the blocking rules produce (model.BLOCKING_RULES) and keep those at or
   above the threshold, each with its per-field levels for the explanation.

On Spark (`engine="spark"`, or settings.BATCH_ENGINE; docs/spark.md): the records are loaded and
normalised here as before, handed to Spark as Parquet, and splink's Spark backend (`SparkAPI`, the
settings in the "spark" dialect: its similarity UDFs and backtick quoting) trains and predicts with the
same comparisons, blocking rules and seeded steps; the pairs come back to the driver through Arrow.
The blocking rules are equi-joins, which Spark partitions by key, so the work grows with the number of
blocked pairs rather than n². What a trained model keeps (m/u per level, the prior) is backend-neutral,
so `DedupeModel` and the one-record scoring do not change. The u probabilities are sampled by each
engine's own generator: the two paths find the same pairs with probabilities that agree closely.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from . import records
from .model import (
    COMPARISONS,
    LevelWeights,
    blocking_rule_sql,
    level_key_for_gamma,
    reasons_for,
    settings_dict,
)

logger = logging.getLogger(__name__)

SEED = 20240611
# Fewer records than this: the model is not trained (too few pairs for EM), the default m/u are used.
MIN_RECORDS_TO_TRAIN = 200
U_MAX_PAIRS = 2_000_000
EM_MAX_PAIRS = 400_000


@dataclass
class LinkageResult:
    total: int = 0
    pairs: pd.DataFrame | None = None  # left_id, right_id, probability, match_weight, reasons
    model: dict | None = None
    trained: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pair_count(self) -> int:
        return 0 if self.pairs is None else len(self.pairs)


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run_linkage(*, threshold: float, on_progress: Callable[[int], None] | None = None,
                seed: int = SEED, con=None, load: bool = True, engine: str | None = None) -> LinkageResult:
    """Find the pairs of live customers whose match probability is at least `threshold`, on DuckDB or,
    with `engine="spark"` (default: settings.BATCH_ENGINE), training and predicting on Spark."""
    from splink import Linker

    from guanxi.core.spark import batch_engine

    engine = engine or batch_engine()
    dialect = "spark" if engine == "spark" else "duckdb"
    progress = on_progress or (lambda value: None)
    result = LinkageResult()
    _quiet_splink()
    con = con or records.duckdb_connect()
    t0 = time.perf_counter()
    if load:
        records.load_raw(con)
    progress(15)
    result.total = records.prepare_records(con)
    result.timings["load_seconds"] = round(time.perf_counter() - t0, 2)
    progress(30)
    if result.total < 2:
        result.pairs = _empty_pairs()
        progress(100)
        return result

    t0 = time.perf_counter()
    table = _records_table(con, dialect)
    trained = result.total >= MIN_RECORDS_TO_TRAIN
    linker = Linker(table, settings_dict(term_frequencies=trained, dialect=dialect), log_level=None)
    if trained:
        _train(linker, total=result.total, seed=seed, dialect=dialect)
    result.trained = trained
    result.model = linker.misc.save_model_to_json()
    result.timings["train_seconds"] = round(time.perf_counter() - t0, 2)
    progress(55)

    t0 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    frame = _prediction_frame(con, predictions, dialect)
    result.timings["predict_seconds"] = round(time.perf_counter() - t0, 2)
    progress(80)
    result.pairs = _with_reasons(frame, LevelWeights.from_settings(result.model))
    return result


def _records_table(con, dialect: str):
    """The prepared records registered with splink: DuckDB's own table, or a Spark DataFrame."""
    if dialect == "spark":
        from splink import SparkAPI

        from guanxi.core.spark import spark_session, to_spark

        return SparkAPI(spark_session=spark_session()).register(to_spark(con, "records", "linkage-records"))
    from splink import DuckDBAPI

    return DuckDBAPI(connection=con).register("records")


def _prediction_frame(con, predictions, dialect: str) -> pd.DataFrame:
    """The predicted pairs as pandas: ids, probability, weight and each comparison's gamma. A comparison
    left without any trained level (data with no sure pair) drops out of splink's output; it then
    explains nothing (gamma -1, "not compared")."""
    quote = "`" if dialect == "spark" else '"'
    if dialect == "spark":
        from guanxi.core.spark import to_pandas

        spark_frame = predictions.as_spark_dataframe()
        present = set(spark_frame.columns)
    else:
        present = {row[0] for row in con.execute(f"DESCRIBE {predictions.physical_name}").fetchall()}
    gamma_columns = ", ".join(f"{quote}gamma_{c.field}{quote}" if f"gamma_{c.field}" in present
                              else f"-1 AS {quote}gamma_{c.field}{quote}" for c in COMPARISONS)
    sql = (f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, {gamma_columns} "  # nosec B608  # splink's own table and code-defined columns
           f"FROM {predictions.physical_name} ORDER BY unique_id_l, unique_id_r")
    if dialect == "spark":
        spark_frame.createOrReplaceTempView(predictions.physical_name)
        frame = to_pandas(spark_frame.sparkSession.sql(sql))
        return frame.astype({f"gamma_{c.field}": "int64" for c in COMPARISONS})
    return con.execute(sql).df()


def _train(linker, *, total: int, seed: int, dialect: str = "duckdb") -> None:
    training = linker.training
    t0 = time.perf_counter()
    training.estimate_probability_two_random_records_match(
        [blocking_rule_sql(("phone", "name_sorted"), dialect), blocking_rule_sql(("id_number",), dialect)],
        recall=0.8,
    )
    # Data without a single sure duplicate estimates a prior of 0, whose log-odds splink cannot take:
    # assume one duplicate pair among all pairs instead (splink has no public setter for the prior).
    settings = linker._settings_obj
    floor = 1 / max(total * (total - 1) / 2, 1)
    settings._probability_two_random_records_match = max(settings._probability_two_random_records_match, floor)
    training.estimate_u_using_random_sampling(
        max_pairs=min(U_MAX_PAIRS, max(total * (total - 1) / 2, 1)), seed=seed, min_count_per_level=None,
        num_chunks=1,
    )
    logger.info("prior and u: %.1fs", time.perf_counter() - t0)
    for rule in (("phone",), ("name_sorted", "dob")):
        t0 = time.perf_counter()
        try:
            training.estimate_parameters_using_expectation_maximisation(
                blocking_rule_sql(rule, dialect), estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS,
            )
        except Exception as exc:  # noqa: BLE001 - too few pairs under one rule must not end the scan
            logger.warning("EM training on %s skipped: %s", rule, exc)
        logger.info("EM on %s: %.1fs", rule, time.perf_counter() - t0)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({"left_id": pd.Series(dtype="int64"), "right_id": pd.Series(dtype="int64"),
                         "probability": pd.Series(dtype="float64"), "match_weight": pd.Series(dtype="float64"),
                         "reasons": pd.Series(dtype=object)})


def _with_reasons(frame: pd.DataFrame, weights: LevelWeights) -> pd.DataFrame:
    if frame.empty:
        return _empty_pairs()
    fields = [c.field for c in COMPARISONS]
    gammas = [frame[f"gamma_{name}"].tolist() for name in fields]
    cache: dict[tuple, list] = {}
    reasons = []
    for vector in zip(*gammas, strict=True):
        if vector not in cache:
            levels = {name: level_key_for_gamma(name, int(g)) for name, g in zip(fields, vector, strict=True)}
            cache[vector] = reasons_for(levels, weights)
        reasons.append(cache[vector])
    left, right = frame["unique_id_l"].astype("int64"), frame["unique_id_r"].astype("int64")
    return pd.DataFrame({
        "left_id": left.where(left < right, right), "right_id": right.where(left < right, left),
        "probability": frame["match_probability"].astype(float), "match_weight": frame["match_weight"].astype(float),
        "reasons": reasons,
    })
