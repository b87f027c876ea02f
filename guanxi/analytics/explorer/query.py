"""An explorer query: checked against the catalogue and the viewer's role, turned into one SQL
statement per fact involved (identifiers from the catalogue only, every value a parameter, the
viewer's scope as filters on the warehouse's owner and team columns), run on DuckDB, and merged into
a pivot: row headers × column headers with a value per measure, row and column totals, a grand total.

Scope rules are those of the apps that own the records (read from their permission tables, so they
change in one place): customers and their interactions by the customer's owner and team; orders and
payments by the record's or the customer's owner and team (partners: their own records); cases by
the case's owner or a customer the viewer reads."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import is_system, role_of
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.customers import permissions as customer_permissions
from guanxi.orders import permissions as order_permissions
from guanxi.servicedesk import permissions as desk_permissions

from ..permissions import permissions
from ..warehouse.rollups import PARTS, ROLLUP_NAMES, ROLLUPS, Rollup
from ..warehouse.store import connect, manifest_read, warehouse_dir
from .catalogue import DIMENSIONS, FACTS, JOIN_NEEDS, JOINS, MEASURES, Dimension, Fact, dimension_applies

MAX_CELLS = 5_000  # rows × columns of one pivot
MAX_MEASURES, MAX_DIMENSIONS, MAX_FILTER_VALUES = 8, 4, 500
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
MAX_SPAN_DAYS = 366 * 10


@dataclass(frozen=True)
class Filter:
    """Keep (or with `exclude`, drop) the rows whose `dimension` key is one of `values` (None: no value)."""

    dimension: str
    values: tuple = ()
    exclude: bool = False


@dataclass(frozen=True)
class ExplorerQuery:
    measures: tuple[str, ...]
    date_from: dt.date
    date_to: dt.date
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()

    def as_dict(self) -> dict:
        return {"measures": list(self.measures), "rows": list(self.rows), "columns": list(self.columns),
                "date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
                "filters": [{"dimension": f.dimension, "values": [_json(v) for v in f.values], "exclude": f.exclude}
                            for f in self.filters]}

    @classmethod
    def from_dict(cls, data: dict) -> ExplorerQuery:
        """From stored or posted JSON; a malformed document is a 422."""
        try:
            return cls(measures=tuple(data["measures"]), rows=tuple(data.get("rows") or ()),
                       columns=tuple(data.get("columns") or ()),
                       date_from=_date(data["date_from"]), date_to=_date(data["date_to"]),
                       filters=tuple(Filter(dimension=f["dimension"], values=tuple(f.get("values") or ()),
                                            exclude=bool(f.get("exclude"))) for f in data.get("filters") or ()))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationFailed(_("The query is not a valid explorer query.")) from exc


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# ---------------------------------------------------------------- what a role may use


def measure_allowed(user, name: str) -> bool:
    measure = MEASURES[name]
    return role_of(user) in measure.roles and _reach(user, FACTS[measure.fact]) is not Scope.NONE


def dimension_allowed(user, name: str) -> bool:
    return role_of(user) in DIMENSIONS[name].roles


def measures_for(user) -> list:
    return [m for name, m in MEASURES.items() if measure_allowed(user, name)]


def dimensions_for(user) -> list:
    return [d for name, d in DIMENSIONS.items() if dimension_allowed(user, name)]


def _reach(user, fact: Fact) -> Scope:
    table = {"customer": customer_permissions, "order": order_permissions, "case": desk_permissions}[fact.scope]
    return table.scope(user, fact.scope_entity, "read")


def validate(user, query: ExplorerQuery) -> None:
    """422 for unknown names, an impossible date range, duplicates or too much asked; 403 for a measure
    or dimension the role may not use (and for anyone who may not open the explorer)."""
    permissions.require(user, "explorer", "read")
    fields: dict[str, str] = {}
    if not query.measures:
        fields["measures"] = gettext("choose at least one measure")
    elif len(query.measures) > MAX_MEASURES:
        fields["measures"] = gettext("at most %(n)s measures") % {"n": MAX_MEASURES}
    if unknown := [m for m in query.measures if m not in MEASURES]:
        fields["measures"] = gettext("unknown measure: %(names)s") % {"names": ", ".join(map(str, unknown))}
    dimensions = list(query.rows) + list(query.columns)
    if unknown := [d for d in dimensions + [f.dimension for f in query.filters] if d not in DIMENSIONS]:
        fields["dimensions"] = gettext("unknown dimension: %(names)s") % {"names": ", ".join(map(str, unknown))}
    elif len(set(dimensions)) != len(dimensions):
        fields["dimensions"] = gettext("a dimension may be used once")
    elif len(dimensions) > MAX_DIMENSIONS:
        fields["dimensions"] = gettext("at most %(n)s dimensions") % {"n": MAX_DIMENSIONS}
    if query.date_from > query.date_to:
        fields["date_to"] = gettext("the end is before the start")
    elif query.date_from < EARLIEST or query.date_to > LATEST:
        fields["date_from"] = gettext("dates must lie between %(first)s and %(last)s") % {
            "first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
    elif (query.date_to - query.date_from).days > MAX_SPAN_DAYS:
        fields["date_to"] = gettext("at most ten years at a time")
    if any(len(f.values) > MAX_FILTER_VALUES for f in query.filters):
        fields["filters"] = gettext("at most %(n)s values per filter") % {"n": MAX_FILTER_VALUES}
    if fields:
        raise ValidationFailed(fields=fields)
    for name in query.measures:
        if not measure_allowed(user, name):
            raise PermissionDenied(gettext("Your role may not use the measure “%(name)s”.")
                                   % {"name": MEASURES[name].label}, code="measure_forbidden")
    for name in dict.fromkeys(dimensions + [f.dimension for f in query.filters]):
        if not dimension_allowed(user, name):
            raise PermissionDenied(gettext("Your role may not use the dimension “%(name)s”.")
                                   % {"name": DIMENSIONS[name].label}, code="dimension_forbidden")
    for name in dict.fromkeys(dimensions + [f.dimension for f in query.filters]):
        for measure in query.measures:
            if not dimension_applies(DIMENSIONS[name], FACTS[MEASURES[measure].fact]):
                raise ValidationFailed(fields={"dimensions": gettext(
                    "“%(dimension)s” does not apply to “%(measure)s”") % {
                    "dimension": DIMENSIONS[name].label, "measure": MEASURES[measure].label}})
    for flt in query.filters:
        for value in flt.values:
            _coerce(DIMENSIONS[flt.dimension], value)


def _coerce(dimension: Dimension, value):
    if value is None:
        return None
    try:
        if dimension.value_type == "int":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError
            number = int(value)
            if not -2**63 <= number < 2**63:  # the warehouse's BIGINT
                raise ValueError
            return number
        if dimension.value_type == "date":
            return _date(value)
        if dimension.value_type == "bool":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError
        return str(value)
    except ValueError as exc:
        raise ValidationFailed(fields={"filters": gettext("“%(value)s” is not a value of “%(dimension)s”") % {
            "value": str(value)[:40], "dimension": dimension.label}}) from exc


# ---------------------------------------------------------------- SQL


@dataclass
class Statement:
    fact: Fact
    sql: str
    parameters: list
    dimensions: list[Dimension]
    measures: list[str]
    rollup: str = ""  # the rollup it reads, if not the detail fact


def scope_sql(user, fact: Fact) -> tuple[str, list, set[str]]:
    """The viewer's scope on `fact` as a condition, its parameters and the joins it needs."""
    reach = _reach(user, fact)
    if reach is Scope.ALL:
        return "", [], set()
    if reach is Scope.NONE or is_system(user):
        return "FALSE", [], set()
    me, team = user.pk, user.team_id
    if fact.scope == "customer":
        if reach is Scope.TEAM and team:
            return "(c.owner_id = ? OR c.team_id = ?)", [me, team], {"customer"}
        return "c.owner_id = ?", [me], {"customer"}
    if fact.scope == "order":
        if user.role == Role.PARTNER:
            return f"f.{fact.owner} = ?", [me], set()
        if reach is Scope.TEAM and team:
            return (f"(f.{fact.owner} = ? OR c.owner_id = ? OR f.{fact.team} = ? OR c.team_id = ?)",
                    [me, me, team, team], {"customer"})
        return f"(f.{fact.owner} = ? OR c.owner_id = ?)", [me, me], {"customer"}
    # A case: one's own, or of a customer one reads.
    customers = customer_permissions.customer_read_scope(user)
    if customers is Scope.ALL:
        return "", [], set()
    if customers is Scope.NONE:
        return f"f.{fact.owner} = ?", [me], set()
    if customers is Scope.TEAM and team:
        return f"(f.{fact.owner} = ? OR c.owner_id = ? OR c.team_id = ?)", [me, me, team], {"customer"}
    return f"(f.{fact.owner} = ? OR c.owner_id = ?)", [me, me], {"customer"}


def _joins(fact: Fact, needed: set[str]) -> list[str]:
    order = ["customer", "brand", "team", "staff", "product", "date"]
    wanted = set(needed)
    for name in needed:
        wanted.update(JOIN_NEEDS.get(name, ()))
    columns = {"customer": fact.customer, "team": fact.team, "owner": fact.owner, "date": fact.date}
    return [JOINS[name].format(**columns) for name in order if name in wanted]


def _grouping_sets(rows: list[str], columns: list[str]) -> list[tuple[str, ...]]:
    sets = [tuple(rows + columns), tuple(rows), tuple(columns), ()]
    return list(dict.fromkeys(sets))


def build_statements(user, query: ExplorerQuery, rollups: dict[str, int] | None = None) -> list[Statement]:
    """One statement per fact the measures come from (measures of one fact share its statement), read
    from the smallest of `rollups` (name → rows, those the warehouse holds) that has everything the
    query names, else from the detail fact. Both give the same figures (tests compare them)."""
    by_fact: dict[str, list[str]] = {}
    for name in query.measures:
        by_fact.setdefault(MEASURES[name].fact, []).append(name)
    dimensions = [DIMENSIONS[name] for name in query.rows + query.columns]
    statements = []
    for fact_name, measures in by_fact.items():
        fact = FACTS[fact_name]
        statement = None
        for rollup in _rollup_candidates(fact, measures, query, rollups or {}):
            statement = _statement(user, query, fact, measures, dimensions, rollup)
            if statement is not None:
                break
        statements.append(statement or _statement(user, query, fact, measures, dimensions, None))
    return statements


_CUSTOMER_COLUMN = re.compile(r"\bc\.(\w+)")
_CUSTOMER_ID = re.compile(r"\bc\.customer_id\b")
_FACT_COLUMN = re.compile(r"\bf\.(\w+)")
_DATE_TABLE = re.compile(r"\bd\.\w+")


def _rollup_candidates(fact: Fact, measures: list[str], query: ExplorerQuery, available: dict[str, int]) -> list:
    """The rollups of `fact` the warehouse holds that may answer `query`, smallest first: every measure
    additive, or a distinct count of customers on a rollup that keeps the customer; at month grain,
    whole months and no dimension finer than a month."""
    def answers(rollup: Rollup) -> bool:
        return all(MEASURES[name].rollup_sql or (MEASURES[name].customer_rollup_sql and rollup.keeps_customer)
                   for name in measures)

    if not any(MEASURES[name].rollup_sql or MEASURES[name].customer_rollup_sql for name in measures):
        return []
    names = list(query.rows) + list(query.columns) + [f.dimension for f in query.filters]
    whole_months = query.date_from.day == 1 and (query.date_to + dt.timedelta(days=1)).day == 1
    by_day = any("date" in DIMENSIONS[n].joins or (DIMENSIONS[n].hierarchy == "date" and DIMENSIONS[n].level > 2)
                 for n in names)
    found = [rollup for rollup in ROLLUPS if rollup.table == fact.table and rollup.name in available
             and (rollup.grain == "day" or (whole_months and not by_day)) and answers(rollup)]
    return sorted(found, key=lambda rollup: available[rollup.name])


def _statement(user, query: ExplorerQuery, fact: Fact, measures: list[str], dimensions: list[Dimension],
               rollup: Rollup | None) -> Statement | None:
    """The statement of `fact`'s measures, on its detail table or on `rollup` (None when the rollup
    lacks a column the statement needs). On a rollup the customer's columns are the rollup's own
    (`c.x` → `f.c_x`, the customer itself `f.customer_id` on a rollup that keeps it): no join with the
    customer dimension."""
    def sql_of(text: str) -> str:
        if rollup is None:
            return text
        if rollup.keeps_customer:
            text = _CUSTOMER_ID.sub("f.customer_id", text)
        return _CUSTOMER_COLUMN.sub(r"f.c_\1", text)

    def measure_sql(name: str) -> str:
        measure = MEASURES[name]
        return measure.sql if rollup is None else (measure.rollup_sql or measure.customer_rollup_sql)

    where, parameters = [f"f.{fact.date} BETWEEN ? AND ?"], [query.date_from, query.date_to]
    scope, scope_parameters, needed = scope_sql(user, fact)
    if scope:
        where.append(sql_of(scope))
        parameters += scope_parameters
    for flt in query.filters:
        dimension = DIMENSIONS[flt.dimension]
        key = sql_of(dimension.key_for(fact))
        needed.update(dimension.joins)
        values = [_coerce(dimension, v) for v in flt.values]
        present = [v for v in values if v is not None]
        parts = []
        if present:
            parts.append(f"{key} IN ({', '.join('?' * len(present))})")
            parameters += present
        if None in values:
            parts.append(f"{key} IS NULL")
        condition = " OR ".join(parts) or "FALSE"
        where.append(f"NOT COALESCE({condition}, FALSE)" if flt.exclude else f"({condition})")
    keys, select = [], []
    for index, dimension in enumerate(dimensions):
        needed.update(dimension.joins)
        key = sql_of(dimension.key_for(fact))
        keys.append(key)
        select.append(f"{key} AS k{index}")
        select.append(f"{sql_of(dimension.label_sql) or key} AS l{index}")
    select += [f"GROUPING({key}) AS g{index}" for index, key in enumerate(keys)] if keys else []
    select += [f"{measure_sql(name)} AS m{index}" for index, name in enumerate(measures)]
    joins = _joins(fact, needed)
    if rollup is not None:
        joins = [sql_of(join) for join in joins if not join.startswith("LEFT JOIN dim_customer ")]
    table = rollup.name if rollup is not None else fact.table
    sql = f"SELECT {', '.join(select)} FROM {table} f {' '.join(joins)} WHERE {' AND '.join(where)}"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    if keys:
        labels = {key: sql_of(dimensions[i].label_sql) for i, key in enumerate(keys) if dimensions[i].label_sql}
        row_keys, column_keys = keys[:len(query.rows)], keys[len(query.rows):]
        sets = []
        for grouping in _grouping_sets(row_keys, column_keys):
            expressions = [part for key in grouping for part in ([key, labels[key]] if key in labels else [key])]
            sets.append(f"({', '.join(expressions)})")
        sql += f" GROUP BY GROUPING SETS ({', '.join(sets)})"
    if rollup is not None:
        known = {rollup.date, *rollup.column_names, *(name for name, _ in PARTS[rollup.table])}
        if not set(_FACT_COLUMN.findall(sql)) <= known or _CUSTOMER_COLUMN.search(sql):
            return None
        if rollup.grain == "month" and _DATE_TABLE.search(sql):
            return None
    return Statement(fact, sql, parameters, dimensions, measures, rollup.name if rollup is not None else "")


# ---------------------------------------------------------------- running and shaping

_READERS: dict[tuple, object] = {}
_READERS_LOCK = threading.Lock()


def _reader(manifest):
    """A cursor on a DuckDB database whose views read `manifest`'s files: opened once per manifest
    (a refresh writes a new one) and shared, each query on a cursor of its own (DuckDB cursors may be
    used from different threads)."""
    root = str(warehouse_dir())
    key = (root, manifest.refresh_id, tuple(sorted(manifest.files())))
    with _READERS_LOCK:
        database = _READERS.get(key)
        if database is None:
            for old in list(_READERS):
                if old[0] == root:
                    _READERS.pop(old)  # closed once its last cursor is gone
            database = _READERS[key] = connect(manifest)
        return database.cursor()


@dataclass
class Header:
    key: object
    label: str


@dataclass
class Pivot:
    query: ExplorerQuery
    measures: list
    rows: list[Dimension]
    columns: list[Dimension]
    row_headers: list[list[Header]] = field(default_factory=list)
    column_headers: list[list[Header]] = field(default_factory=list)
    values: list[list[list]] = field(default_factory=list)  # [row][column][measure]
    row_totals: list[list] = field(default_factory=list)
    column_totals: list[list] = field(default_factory=list)
    total: list = field(default_factory=list)
    refreshed: int = 0


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def explorer_run(*, user, query: ExplorerQuery, rollups: bool = True) -> Pivot:
    """The pivot of `query` as `user` may see it (checked first: see `validate`); from the warehouse's
    rollups where they answer it (`rollups=False`: always from the detail facts)."""
    validate(user, query)
    manifest = manifest_read()
    if "dim_date" not in manifest.tables:
        raise Conflict(_("The data warehouse has not been built yet; try again after its first refresh."),
                       code="warehouse_empty")
    available = {name: files.rows for name, files in manifest.tables.items() if name in ROLLUP_NAMES}
    statements = build_statements(user, query, available if rollups else None)
    n_rows, n_dims = len(query.rows), len(query.rows) + len(query.columns)
    cap = 3 * MAX_CELLS + 1
    cells: dict[tuple, dict[str, object]] = {}
    labels: list[dict] = [{} for _ in range(n_dims)]
    reader = _reader(manifest)
    try:
        for statement in statements:
            result = reader.execute(f"SELECT * FROM ({statement.sql}) q LIMIT {cap + 1}", statement.parameters)  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            fetched = result.fetchall()
            if len(fetched) > cap:
                raise _too_many()
            for record in fetched:
                keys = tuple(record[2 * i] for i in range(n_dims))
                flags = tuple(record[2 * n_dims + i] for i in range(n_dims))
                for i in range(n_dims):
                    if not flags[i]:
                        labels[i].setdefault(keys[i], record[2 * i + 1])
                shape = tuple(None if flags[i] else keys[i] for i in range(n_dims))
                cell = cells.setdefault((flags, shape), {})
                for index, name in enumerate(statement.measures):
                    cell[name] = _number(record[3 * n_dims + index])
    finally:
        reader.close()
    dimensions = [DIMENSIONS[name] for name in query.rows + query.columns]
    row_keys = sorted({shape[:n_rows] for flags, shape in cells if not any(flags[:n_rows])}, key=_sort_key)
    column_keys = sorted({shape[n_rows:] for flags, shape in cells if not any(flags[n_rows:])}, key=_sort_key)
    if n_rows == 0:
        row_keys = [()]
    if n_dims - n_rows == 0:
        column_keys = [()]
    if len(row_keys) * len(column_keys) > MAX_CELLS:
        raise _too_many()
    names = list(query.measures)
    shown = [_labeller(user, dimension, labels[i]) for i, dimension in enumerate(dimensions)]
    all_rows, all_columns = tuple([1] * n_rows), tuple([1] * (n_dims - n_rows))
    none_rows, none_columns = tuple([None] * n_rows), tuple([None] * (n_dims - n_rows))

    def values(flags, shape):
        cell = cells.get((flags, shape), {})
        return [cell.get(name) for name in names]

    detail = tuple([0] * n_dims)
    pivot = Pivot(query=query, measures=[MEASURES[n] for n in names], rows=dimensions[:n_rows],
                  columns=dimensions[n_rows:], refreshed=manifest.refresh_id)
    pivot.row_headers = [[shown[i](key) for i, key in enumerate(keys)] for keys in row_keys] if n_rows else [[]]
    pivot.column_headers = ([[shown[n_rows + i](key) for i, key in enumerate(keys)] for keys in column_keys]
                            if n_dims > n_rows else [[]])
    pivot.values = [[values(detail, r + c) for c in column_keys] for r in row_keys]
    pivot.row_totals = [values(tuple([0] * n_rows) + all_columns, r + none_columns) for r in row_keys]
    pivot.column_totals = [values(all_rows + tuple([0] * (n_dims - n_rows)), none_rows + c) for c in column_keys]
    pivot.total = values(tuple([1] * n_dims), tuple([None] * n_dims))
    if n_dims and not cells:
        pivot.row_headers, pivot.column_headers, pivot.values = [], [], []
        pivot.row_totals, pivot.column_totals = [], []
    return pivot


def _too_many() -> ValidationFailed:
    return ValidationFailed(gettext("Too many cells: choose fewer or coarser dimensions, or filter (at most "
                                    "%(n)s).") % {"n": MAX_CELLS}, code="too_many_cells")


def _sort_key(keys: tuple) -> tuple:
    return tuple((value is None, str(type(value)), value if value is not None else 0) for value in keys)


def _choices(dimension: Dimension) -> dict:
    names: dict = {}
    for model, field_name in dimension.choices:
        for value, label in apps.get_model(model)._meta.get_field(field_name).choices or ():
            names.setdefault(value, label)
    return names


def format_key(dimension: Dimension, key) -> str:
    if dimension.format == "year":
        return gettext("%(year)s") % {"year": key}
    if dimension.format == "quarter":
        return gettext("%(year)s Q%(quarter)s") % {"year": key // 10, "quarter": key % 10}
    if dimension.format == "month":
        return f"{key // 100}-{key % 100:02d}"
    if dimension.format == "week":
        return gettext("%(year)s week %(week)s") % {"year": key // 100, "week": key % 100}
    if dimension.format == "day":
        return key.isoformat()
    if dimension.format == "bool":
        return gettext("Yes") if key else gettext("No")
    return str(key)


def _labeller(user, dimension: Dimension, found: dict):
    """How a key of `dimension` is shown to `user`: its choice name, its date, its name; a customer's
    name masked unless the user sees that customer's personal data."""
    if dimension.personal:
        return _customer_labeller(user, list(k for k in found if k is not None))
    choices = _choices(dimension) if dimension.choices else {}
    empty = gettext("(none)")

    def show(key) -> Header:
        if key is None:
            return Header(None, empty)
        if key in choices:
            return Header(key, str(choices[key]) or empty)
        if dimension.format:
            return Header(key.isoformat() if isinstance(key, dt.date) else key, format_key(dimension, key))
        label = found.get(key)
        return Header(key, str(label) if label not in (None, "") else (str(key) if not dimension.label_sql else empty))

    return show


def _customer_labeller(user, ids: list[int]):
    from guanxi.customers.models import Customer

    customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids).only("pk", "name", "owner_id", "team_id")}
    empty = gettext("(none)")

    def show(key) -> Header:
        customer = customers.get(key)
        if customer is None:
            return Header(key, empty if key is None else f"#{key}")
        if customer_permissions.can_see_personal_data(user=user, customer=customer):
            return Header(key, customer.name)
        return Header(key, mask_name(customer.name))

    return show


def mask_name(name: str) -> str:
    """A customer's name with all but its first character hidden (张三丰 → 张**)."""
    name = mask_free_text(name or "")
    return (name[:1] + "*" * min(max(len(name) - 1, 2), 6)) if name else ""
