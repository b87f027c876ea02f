"""The duplicate-customer model: what is compared, how, and how a comparison is explained.

A Fellegi-Sunter model (splink): each comparison of two records falls into one level per field
(name, birth date, sex, ID number, phone, e-mail, address); each level has an m probability (how
often true duplicates fall into it) and a u probability (how often unrelated records do), and
log2(m/u) summed over the fields plus the prior gives the match weight and probability. Levels are
declared once here, as SQL that both the scan (splink on DuckDB) and the scoring of one new record
(`score_pairs`, in Python: `Level.holds`, tested equal) evaluate, with the human-readable label shown in the
review queue.

The defaults below (m, u) are rough priors used before a model has been trained on the customer
base; a scan re-estimates them (u by random sampling, m by expectation maximisation) and stores the
trained model (`DedupeModel`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Columns of the prepared record table (one row per live customer), see scan.prepare_records.
RECORD_COLUMNS = (
    "unique_id", "kind", "name_hanzi", "name_py", "name_sorted", "name_init", "org_key", "dob", "gender",
    "id_number", "id17", "phone", "phone_tail", "email", "email_local", "province", "city", "district",
)
# A prior probability that two records drawn at random are the same customer, before training.
DEFAULT_PRIOR = 1e-5


# --- comparisons --------------------------------------------------------------------------------

Record = dict[str, Any]


@dataclass(frozen=True)
class Level:
    """One level of a comparison: its condition as SQL (the scan: splink on DuckDB or Spark) and as
    Python (`holds`, on two records of text: one new customer against its few candidates), the same
    condition in both, NULL included (a test evaluates both over generated records)."""

    key: str
    sql: str
    label: str | Promise
    m: float
    u: float
    tf_column: str | None = None
    holds: Callable[[Record, Record], bool] = field(kw_only=True)


@dataclass(frozen=True)
class Comparison:
    """One field's comparison: a null level (either side missing), the levels in order, an else."""

    field: str
    null_column: str
    levels: tuple[Level, ...]
    else_label: str | Promise
    else_m: float
    else_u: float
    extra_null_columns: tuple[str, ...] = field(default_factory=tuple)

    def level_keys(self) -> list[str]:
        """Keys in splink's gamma order: index 0 is 'else', then the levels from the weakest up."""
        return ["different", *[level.key for level in reversed(self.levels)]]


def _same(left: Record, right: Record, *columns: str) -> bool:
    """SQL `l.c = r.c AND …`: a NULL on either side is not the same."""
    return all(left[c] is not None and left[c] == right[c] for c in columns)


def _substr(value: str | None, start: int, length: int | None = None) -> str | None:
    """SQL substr (1-based, by character); NULL stays NULL."""
    if value is None:
        return None
    return value[start - 1:] if length is None else value[start - 1:start - 1 + length]


def _equal(a: str | None, b: str | None) -> bool:
    return a is not None and a == b


def _within_one_edit(a: str | None, b: str | None) -> bool:
    """DuckDB's `damerau_levenshtein(a, b) <= 1`, which counts UTF-8 bytes: equal, or one byte
    replaced, inserted, deleted, or two adjacent bytes swapped."""
    if a is None or b is None:
        return False
    x, y = a.encode(), b.encode()
    if len(x) > len(y):
        x, y = y, x
    if len(y) - len(x) > 1:
        return False
    if len(x) < len(y):
        i = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), len(x))
        return x[i:] == y[i + 1:]
    diff = [i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]
    return len(diff) <= 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                              and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]])


def _fused_multiply_add(a: float, b: float, c: float) -> float:
    """a × b + c rounded once, as DuckDB's compiled code computes the Winkler bonus (math.fma, Python 3.13)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def jaro_winkler_similarity(a: str | None, b: str | None) -> float | None:
    """DuckDB's jaro_winkler_similarity to the last bit (a threshold decides the same on both sides),
    on UTF-8 bytes as DuckDB counts them: matches within half the longer length less one, half the
    transpositions, and the common prefix (at most 4) raising a similarity above 0.7 by a tenth of the
    gap each."""
    if a is None or b is None:
        return None
    a, b = a.encode(), b.encode()
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    taken = [False] * len(b)
    matched = []
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(i + window + 1, len(b))):
            if not taken[j] and b[j] == char:
                taken[j] = True
                matched.append(char)
                break
    common = len(matched)
    if not common:
        return 0.0
    transpositions = sum(x != y for x, y in zip(matched, (c for j, c in enumerate(b) if taken[j]), strict=False)) // 2
    similarity = (common / len(a) + common / len(b) + (common - transpositions) / common) / 3.0
    if similarity > 0.7:
        prefix = next((i for i, (x, y) in enumerate(zip(a[:4], b[:4], strict=False)) if x != y), min(4, len(a), len(b)))
        similarity = _fused_multiply_add(prefix * 0.1, 1.0 - similarity, similarity)
    return similarity


def _similar(left: Record, right: Record, column: str, threshold: float) -> bool:
    """SQL `substr(l, 1, 1) = substr(r, 1, 1) AND jaro_winkler_similarity(l, r) >= threshold`."""
    a, b = left[column], right[column]
    return _equal(_substr(a, 1, 1), _substr(b, 1, 1)) and jaro_winkler_similarity(a, b) >= threshold


def _one_edit(left: Record, right: Record, column: str, head: int) -> bool:
    """`_one_edit_guard` in Python."""
    a, b = left[column], right[column]
    return (a is not None and b is not None and len(a) == len(b)
            and (_equal(a[:head], b[:head]) or _equal(a[head + 1:], b[head + 1:])) and _within_one_edit(a, b))


def _one_character_differs(left: Record, right: Record) -> bool:
    a, b = left["name_hanzi"], right["name_hanzi"]
    return (a is not None and b is not None and len(a) == len(b) and len(a) > 1
            and sum(x != y for x, y in zip(a, b, strict=True)) == 1)


def _birth_date_close(left: Record, right: Record) -> bool:
    a, b = left["dob"], right["dob"]
    same_year = _equal(_substr(a, 1, 4), _substr(b, 1, 4))
    return (same_year and _equal(_substr(a, 6, 2), _substr(b, 9, 2)) and _equal(_substr(a, 9, 2), _substr(b, 6, 2))) \
        or ((same_year or _equal(_substr(a, 6, 5), _substr(b, 6, 5))) and _within_one_edit(a, b))


def _one_edit_guard(column: str, head: int) -> str:
    """Cheap SQL pre-check for 'one digit wrong or two adjacent swapped' on equal-length strings:
    such an edit leaves the first `head` characters or everything after them unchanged."""
    left, right = f'"{column}_l"', f'"{column}_r"'
    return (f"length({left}) = length({right}) AND (substr({left}, 1, {head}) = substr({right}, 1, {head}) "
            f"OR substr({left}, {head + 2}) = substr({right}, {head + 2})) AND "
            f"damerau_levenshtein({left}, {right}) <= 1")


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        field="name", null_column="name_py",
        levels=(
            Level("exact", '("name_hanzi_l" = "name_hanzi_r") OR ("name_hanzi_l" IS NULL AND "name_hanzi_r" IS NULL '
                  'AND "name_py_l" = "name_py_r")',
                  _("Same name"), 0.6, 0.0005, tf_column="name_py",
                  holds=lambda a, b: _same(a, b, "name_hanzi") or (
                      a["name_hanzi"] is None and b["name_hanzi"] is None and _same(a, b, "name_py"))),
            Level("pinyin", '"name_py_l" = "name_py_r"',
                  _("Same name in pinyin (homophone or pinyin spelling)"), 0.15, 0.0002, tf_column="name_py",
                  holds=lambda a, b: _same(a, b, "name_py")),
            Level("swapped", '"name_sorted_l" = "name_sorted_r"',
                  _("Same pinyin syllables in another order"), 0.05, 0.00005,
                  holds=lambda a, b: _same(a, b, "name_sorted")),
            Level("one_character", '"name_hanzi_l" IS NOT NULL AND "name_hanzi_r" IS NOT NULL AND '
                  'length("name_hanzi_l") = length("name_hanzi_r") AND length("name_hanzi_l") > 1 AND '
                  'char_mismatches("name_hanzi_l", "name_hanzi_r") = 1',
                  _("Names differ in one character"), 0.06, 0.001, holds=_one_character_differs),
            Level("similar", 'substr("name_py_l", 1, 1) = substr("name_py_r", 1, 1) AND '
                  'jaro_winkler_similarity("name_py_l", "name_py_r") >= 0.9',
                  _("Similar name in pinyin"), 0.06, 0.01, holds=lambda a, b: _similar(a, b, "name_py", 0.9)),
            Level("initials", '"name_init_l" = "name_init_r"',
                  _("Same pinyin initials"), 0.03, 0.02, holds=lambda a, b: _same(a, b, "name_init")),
        ),
        else_label=_("Different name"), else_m=0.05, else_u=0.97,
    ),
    Comparison(
        field="birth_date", null_column="dob",
        levels=(
            Level("exact", '"dob_l" = "dob_r"', _("Same birth date"), 0.9, 0.00005,
                  holds=lambda a, b: _same(a, b, "dob")),
            Level("close", '(substr("dob_l", 1, 4) = substr("dob_r", 1, 4) AND substr("dob_l", 6, 2) = '
                  'substr("dob_r", 9, 2) AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)) OR '
                  '((substr("dob_l", 1, 4) = substr("dob_r", 1, 4) OR substr("dob_l", 6, 5) = substr("dob_r", 6, 5)) '
                  'AND damerau_levenshtein("dob_l", "dob_r") <= 1)',
                  _("Birth date differs in one digit"), 0.06, 0.002, holds=_birth_date_close),
        ),
        else_label=_("Different birth date"), else_m=0.04, else_u=0.998,
    ),
    Comparison(
        field="gender", null_column="gender",
        levels=(Level("exact", '"gender_l" = "gender_r"', _("Same sex"), 0.98, 0.5,
                      holds=lambda a, b: _same(a, b, "gender")),),
        else_label=_("Different sex"), else_m=0.02, else_u=0.5,
    ),
    Comparison(
        field="id_number", null_column="id_number",
        levels=(
            Level("exact", '"id_number_l" = "id_number_r"', _("Same ID number"),
                  0.9, 0.000001, holds=lambda a, b: _same(a, b, "id_number")),
            Level("check_digit", '"id17_l" = "id17_r"',
                  _("ID numbers differ only in the check digit"), 0.04, 0.000001,
                  holds=lambda a, b: _same(a, b, "id17")),
            Level("typo", _one_edit_guard("id_number", 9),
                  _("ID numbers differ in one digit"), 0.03, 0.00001,
                  holds=lambda a, b: _one_edit(a, b, "id_number", 9)),
        ),
        else_label=_("Different ID number"), else_m=0.03, else_u=0.99999,
    ),
    Comparison(
        field="phone", null_column="phone",
        levels=(
            Level("exact", '"phone_l" = "phone_r"', _("Same mobile number"), 0.85, 0.00001,
                  holds=lambda a, b: _same(a, b, "phone")),
            Level("typo", _one_edit_guard("phone", 8),
                  _("Mobile numbers differ in one digit"), 0.05, 0.0001,
                  holds=lambda a, b: _one_edit(a, b, "phone", 8)),
        ),
        else_label=_("Different mobile number"), else_m=0.1, else_u=0.9999,
    ),
    Comparison(
        field="email", null_column="email",
        levels=(
            Level("exact", '"email_l" = "email_r"', _("Same e-mail address"), 0.8, 0.00001,
                  holds=lambda a, b: _same(a, b, "email")),
            Level("local_part", '"email_local_l" = "email_local_r"',
                  _("Same e-mail user name at another domain"), 0.1, 0.0001,
                  holds=lambda a, b: _same(a, b, "email_local")),
            Level("similar", 'substr("email_l", 1, 1) = substr("email_r", 1, 1) AND '
                  'jaro_winkler_similarity("email_l", "email_r") >= 0.92',
                  _("Similar e-mail address"), 0.04, 0.001, holds=lambda a, b: _similar(a, b, "email", 0.92)),
        ),
        else_label=_("Different e-mail address"), else_m=0.06, else_u=0.999,
    ),
    Comparison(
        field="address", null_column="province",
        levels=(
            Level("district", '"province_l" = "province_r" AND "city_l" = "city_r" AND "district_l" = "district_r"',
                  _("Same district"), 0.7, 0.01, holds=lambda a, b: _same(a, b, "province", "city", "district")),
            Level("city", '"province_l" = "province_r" AND "city_l" = "city_r"',
                  _("Same city"), 0.12, 0.04, holds=lambda a, b: _same(a, b, "province", "city")),
            Level("province", '"province_l" = "province_r"', _("Same province"), 0.08, 0.05,
                  holds=lambda a, b: _same(a, b, "province")),
        ),
        else_label=_("Different province"), else_m=0.1, else_u=0.9,
    ),
)
COMPARISONS_BY_FIELD = {c.field: c for c in COMPARISONS}


def reason_label(field_name: str, level: str) -> str:
    """The translated label of a comparison level, for showing a stored reason again."""
    comparison = COMPARISONS_BY_FIELD.get(field_name)
    if comparison is None:
        return level
    if level == "different":
        return str(comparison.else_label)
    for item in comparison.levels:
        if item.key == level:
            return str(item.label)
    return level


# --- splink settings ----------------------------------------------------------------------------


def _null_sql(comparison: Comparison) -> str:
    columns = (comparison.null_column, *comparison.extra_null_columns)
    return " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)


_FUNCTIONS = {  # function names in the level SQL (DuckDB's) → splink dialect attribute
    "jaro_winkler_similarity": "jaro_winkler_function_name",
    "damerau_levenshtein": "damerau_levenshtein_function_name",
    "levenshtein": "levenshtein_function_name",
}


# DuckDB's levenshtein counts UTF-8 bytes (覃雪国 / 覃琪国: 2, not 1), so names of equal length are compared
# character by character with this macro (`duckdb_functions`); Spark's levenshtein counts characters, and
# for strings of equal length "one edit" and "one character differs" are the same.
CHAR_MISMATCHES_MACRO = (
    "CREATE OR REPLACE MACRO char_mismatches(a, b) AS list_sum(list_transform(range(1, length(a) + 1), "
    "lambda i: CASE WHEN substr(a, i, 1) = substr(b, i, 1) THEN 0 ELSE 1 END))"
)


def duckdb_functions(con) -> None:
    """Define the functions the level SQL uses beyond DuckDB's own on a connection."""
    con.execute(CHAR_MISMATCHES_MACRO)


def level_sql(sql: str, dialect: str = "duckdb") -> str:
    """The level SQL in a splink dialect ("duckdb", "spark", …): the names of the string similarity
    functions differ (Spark: jaro_winkler, damerau_levenshtein from splink's UDF jar), and Spark
    quotes identifiers with backticks."""
    if dialect == "duckdb":
        return sql
    from splink.internals.dialects import SplinkDialect

    target = SplinkDialect.from_string(dialect)
    if dialect == "spark":
        sql = sql.replace('"', "`")  # identifiers; the level SQL has no string literals
        sql = sql.replace("char_mismatches(", "levenshtein(")
    return re.sub(r"\b(jaro_winkler_similarity|damerau_levenshtein|levenshtein)\(",
                  lambda m: getattr(target, _FUNCTIONS[m.group(1)]) + "(", sql)


def comparison_dicts(*, term_frequencies: bool = True, dialect: str = "duckdb") -> list[dict]:
    """The comparisons as splink settings, with the default m/u as starting values."""
    result = []
    for comparison in COMPARISONS:
        levels: list[dict] = [{"sql_condition": level_sql(_null_sql(comparison), dialect), "label_for_charts": "null",
                               "is_null_level": True}]
        for level in comparison.levels:
            item = {"sql_condition": level_sql(level.sql, dialect), "label_for_charts": level.key,
                    "m_probability": level.m, "u_probability": level.u}
            if level.tf_column and term_frequencies:
                item |= {"tf_adjustment_column": level.tf_column, "tf_adjustment_weight": 1.0}
            levels.append(item)
        levels.append({"sql_condition": "ELSE", "label_for_charts": "different",
                       "m_probability": comparison.else_m, "u_probability": comparison.else_u})
        result.append({"output_column_name": comparison.field, "comparison_levels": levels,
                       "comparison_description": comparison.field})
    return result


# Blocking rules: which pairs are compared at all. Each is an equality join on keys that true
# duplicates usually share; together they keep the candidate pairs near-linear in the number of
# records (a common name alone is not a key: it is always combined with a second field).
# A person and an organisation are never the same customer, so kind is part of every rule.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("phone", "kind"),
    ("id17", "kind"),
    ("email", "kind"),
    ("name_sorted", "dob", "kind"),
    ("org_key", "kind"),
    ("name_init", "phone_tail", "kind"),
    ("name_sorted", "city", "district", "kind"),
)


def blocking_rule_sql(columns: tuple[str, ...], dialect: str = "duckdb") -> str:
    quote = "`" if dialect == "spark" else '"'
    return " AND ".join(f"l.{quote}{c}{quote} = r.{quote}{c}{quote}" for c in columns)


def settings_dict(*, prior: float = DEFAULT_PRIOR, term_frequencies: bool = True, dialect: str = "duckdb") -> dict:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "comparisons": comparison_dicts(term_frequencies=term_frequencies, dialect=dialect),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": blocking_rule_sql(rule, dialect)} for rule in BLOCKING_RULES
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": 20,
        "em_convergence": 0.001,
    }


# --- weights and reasons ------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelWeights:
    """log2(m/u) of every (field, level) of a model, and its prior."""

    weights: dict[tuple[str, str], float]
    prior: float

    @classmethod
    def defaults(cls) -> LevelWeights:
        weights = {}
        for comparison in COMPARISONS:
            for level in comparison.levels:
                weights[(comparison.field, level.key)] = math.log2(level.m / level.u)
            weights[(comparison.field, "different")] = math.log2(comparison.else_m / comparison.else_u)
        return cls(weights=weights, prior=DEFAULT_PRIOR)

    @classmethod
    def from_settings(cls, settings: dict) -> LevelWeights:
        """From a trained splink model (settings JSON); a level without trained m or u keeps the
        default weight."""
        base = cls.defaults()
        weights = dict(base.weights)
        for comparison in settings.get("comparisons", []):
            name = comparison.get("output_column_name")
            for level in comparison.get("comparison_levels", []):
                key, m, u = level.get("label_for_charts"), level.get("m_probability"), level.get("u_probability")
                if (name, key) in weights and m and u and m > 0 and u > 0:
                    weights[(name, key)] = math.log2(m / u)
        prior = settings.get("probability_two_random_records_match") or base.prior
        return cls(weights=weights, prior=float(prior))

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))


def reasons_for(levels: dict[str, str | None], weights: LevelWeights) -> list[dict]:
    """The explanation of a pair: one entry per compared field (missing values are left out),
    strongest evidence first, labelled in the active language."""
    reasons = []
    for comparison in COMPARISONS:
        level = levels.get(comparison.field)
        if level is None:
            continue
        weight = weights.weights.get((comparison.field, level), 0.0)
        reasons.append({"field": comparison.field, "label": reason_label(comparison.field, level),
                        "level": level, "weight": round(weight, 2)})
    reasons.sort(key=lambda r: -abs(r["weight"]))
    return reasons


def probability_from_weight(weight: float) -> float:
    odds = 2.0 ** max(min(weight, 60.0), -60.0)
    return odds / (1 + odds)


@dataclass(frozen=True)
class PairScore:
    probability: float
    match_weight: float
    reasons: list[dict]


def _level_of(comparison: Comparison, left: Record, right: Record) -> str | None:
    """The comparison's level key for a pair: None when either side lacks it, else the first level
    that holds, else "different" (the CASE splink evaluates, in Python)."""
    if any(left[c] is None or right[c] is None for c in (comparison.null_column, *comparison.extra_null_columns)):
        return None
    return next((level.key for level in comparison.levels if level.holds(left, right)), "different")


def _text_record(record: Record) -> Record:
    """The record's values as the scan's text columns (NULL stays NULL)."""
    return {c: None if record.get(c) is None else str(record.get(c)) for c in RECORD_COLUMNS}


def classify_pairs(left: Record, others: list[Record]) -> list[dict[str, str | None]]:
    """The level of every comparison between `left` and each of `others`: the levels' conditions in
    Python, equal to the SQL a scan evaluates (tested), so a single new record is judged as a scan
    would judge it, in microseconds (DuckDB took ~8 ms to plan the comparisons' SQL for each new
    customer)."""
    left = _text_record(left)
    return [{c.field: _level_of(c, left, other) for c in COMPARISONS} for other in map(_text_record, others)]


def score_pairs(left: Record, others: list[Record], weights: LevelWeights | None = None) -> list[PairScore]:
    """Score a record against others with the model's level weights (no term-frequency
    adjustment); used for one new customer against the few that share a key with it."""
    weights = weights or LevelWeights.defaults()
    scores = []
    for levels in classify_pairs(left, others):
        total = weights.prior_weight + sum(
            weights.weights.get((name, level), 0.0) for name, level in levels.items() if level is not None
        )
        scores.append(PairScore(probability_from_weight(total), total, reasons_for(levels, weights)))
    return scores


def level_key_for_gamma(field_name: str, gamma: int) -> str | None:
    """splink's gamma value (-1 null, 0 else, higher = closer) → the level key."""
    if gamma is None or gamma < 0:
        return None
    keys = COMPARISONS_BY_FIELD[field_name].level_keys()
    return keys[gamma] if gamma < len(keys) else None

