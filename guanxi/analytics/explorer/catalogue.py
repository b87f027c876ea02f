"""What the explorer offers, as data: facts (a warehouse table with its date and the rule that scopes
its rows), measures (an aggregate over one fact, the roles that may use it) and dimensions (a key and
a label over the fact's joins, the facts it applies to, its hierarchy and level, whether it is personal
data). New facts and dimensions plug in by adding entries here; nothing else names them.

All SQL here is fixed text written by us: queries are assembled from these identifiers only, and every
value a user gives is a parameter. The SQL is ANSI (CASE, COUNT(DISTINCT), GROUPING SETS), the same on
DuckDB and Spark."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.enums import Role

R = Role
SALES = frozenset({R.SALES_REP, R.SALES_MANAGER, R.KEY_ACCOUNT_MANAGER})
SERVICE = frozenset({R.TEAM_LEAD, R.SERVICE_MANAGER})
OFFICE = frozenset({R.ANALYST, R.ADMIN})
EVERY = SALES | SERVICE | OFFICE

# The joins a fact may need, by name: (alias, SQL). `{customer}`, `{team}`, `{owner}`, `{date}` are the
# fact's own columns, filled in from the Fact entry.
JOINS = {
    "customer": "LEFT JOIN dim_customer c ON c.customer_id = f.{customer}",
    "team": "LEFT JOIN dim_team t ON t.team_id = f.{team}",
    "staff": "LEFT JOIN dim_staff s ON s.staff_id = f.{owner}",
    "product": "LEFT JOIN dim_product p ON p.product_id = f.product_id",
    "brand": "LEFT JOIN dim_brand b ON b.brand_id = c.brand_id",
    "date": "LEFT JOIN dim_date d ON d.date = f.{date}",
}
# A join that needs another one first.
JOIN_NEEDS = {"brand": ("customer",)}


@dataclass(frozen=True)
class Fact:
    """A fact table. `scope` names how its rows are limited to the viewer (see `query.scope_sql`):
    "customer" — by the customer's owner and team (customers' read scope); "order" / "payment" — the
    orders table's rule (the record's or the customer's owner and team); "case" — the service desk's
    (the case's owner, or a customer the viewer reads)."""

    name: str
    table: str
    date: str
    scope: str
    scope_entity: str
    joins: frozenset[str]
    customer: str = "customer_id"
    team: str = "team_id"
    owner: str = "owner_id"


FACTS: dict[str, Fact] = {fact.name: fact for fact in (
    Fact("customer", "dim_customer", "created_date", "customer", "customer",
         frozenset({"customer", "team", "staff", "brand", "date"})),
    Fact("case", "fact_case", "created_date", "case", "ticket",
         frozenset({"customer", "team", "staff", "brand", "date"})),
    Fact("interaction", "fact_interaction", "occurred_date", "customer", "history",
         frozenset({"customer", "team", "staff", "brand", "date"}), owner="staff_id"),
    Fact("order_line", "fact_order_line", "order_date", "order", "order",
         frozenset({"customer", "team", "staff", "brand", "product", "date"})),
    Fact("payment", "fact_payment", "received_on", "order", "payment",
         frozenset({"customer", "team", "staff", "brand", "date"})),
)}

SOLD = "f.order_status IN ('confirmed', 'delivered')"
BUYERS = "COUNT(DISTINCT CASE WHEN f.n_sold > 0 THEN f.customer_id END)"  # over a rollup by customer


@dataclass(frozen=True)
class Measure:
    """An aggregate over one fact. `kind`: count, money or number (how it is shown)."""

    name: str
    label: object
    fact: str
    sql: str
    roles: frozenset[str]
    kind: str = "count"
    # The same figure over a rollup of the fact (the additive parts `warehouse.rollups.PARTS` names);
    # empty: not additive (a distinct count, an average), always read from the detail.
    rollup_sql: str = ""
    # A distinct count of customers: the same figure over a rollup that keeps the customer
    # (`Rollup.keeps_customer`), the customers whose rows' part is not zero counted once.
    customer_rollup_sql: str = ""


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("new_customers", _("New customers"), "customer",
            "COUNT(CASE WHEN f.is_live THEN 1 END)", EVERY,
            rollup_sql="COALESCE(SUM(f.n_live), 0)"),
    Measure("customer_arpu", _("Average ARPU of new customers"), "customer",
            "AVG(CASE WHEN f.is_live THEN f.arpu END)", SALES | OFFICE, "money"),
    Measure("cases", _("Cases"), "case", "COUNT(*)", EVERY, rollup_sql="COALESCE(SUM(f.n_rows), 0)"),
    Measure("breaches", _("Breached cases"), "case", "COUNT(f.breached_at)", SERVICE | OFFICE | {R.SALES_MANAGER},
            rollup_sql="COALESCE(SUM(f.n_breached), 0)"),
    Measure("reopened", _("Reopened cases"), "case", "COUNT(CASE WHEN f.reopen_count > 0 THEN 1 END)",
            SERVICE | OFFICE, rollup_sql="COALESCE(SUM(f.n_reopened), 0)"),
    Measure("interactions", _("Interactions"), "interaction", "COUNT(*)", EVERY,
            rollup_sql="COALESCE(SUM(f.n_rows), 0)"),
    Measure("talk_minutes", _("Talk minutes"), "interaction", "SUM(f.duration_seconds) / 60.0", EVERY, "number",
            rollup_sql="SUM(f.sum_duration) / 60.0"),
    Measure("revenue", _("Revenue"), "order_line", f"SUM(CASE WHEN {SOLD} THEN f.line_total END)",
            SALES | OFFICE, "money", rollup_sql="SUM(f.sum_sold_total)"),
    Measure("order_lines", _("Order lines"), "order_line", f"COUNT(CASE WHEN {SOLD} THEN 1 END)", SALES | OFFICE,
            rollup_sql="COALESCE(SUM(f.n_sold), 0)"),
    Measure("quantity", _("Units sold"), "order_line", f"SUM(CASE WHEN {SOLD} THEN f.quantity END)",
            SALES | OFFICE, "number", rollup_sql="SUM(f.sum_sold_quantity)"),
    Measure("buying_customers", _("Buying customers"), "order_line",
            f"COUNT(DISTINCT CASE WHEN {SOLD} THEN f.customer_id END)", SALES | OFFICE,
            customer_rollup_sql=BUYERS),
    Measure("arpu", _("Revenue per buying customer (ARPU)"), "order_line",
            f"SUM(CASE WHEN {SOLD} THEN f.line_total END) / "
            f"NULLIF(COUNT(DISTINCT CASE WHEN {SOLD} THEN f.customer_id END), 0)", SALES | OFFICE, "money",
            customer_rollup_sql=f"SUM(f.sum_sold_total) / NULLIF({BUYERS}, 0)"),
    Measure("received", _("Payments received (回款)"), "payment", "SUM(f.amount - f.refunded)",
            SALES | OFFICE, "money", rollup_sql="SUM(f.sum_net)"),
    Measure("payments", _("Payments"), "payment", "COUNT(*)", SALES | OFFICE,
            rollup_sql="COALESCE(SUM(f.n_rows), 0)"),
)}


@dataclass(frozen=True)
class Dimension:
    """`key` groups and filters; `label` (default: the key) is shown. `facts` None: every fact that has
    its `joins`. `choices` (("app.Model", "field"), ...) turns stored codes into their translated names;
    `format` names how a date key is written. A `personal` dimension names a customer: shown unmasked
    only to roles that see every customer's personal data, masked for the rest (see `query`)."""

    name: str
    label: object
    key: str
    joins: tuple[str, ...] = ()
    label_sql: str = ""
    facts: frozenset[str] | None = None
    hierarchy: str = ""
    level: int = 0
    roles: frozenset[str] = EVERY
    choices: tuple[tuple[str, str], ...] = ()
    format: str = ""
    personal: bool = False
    value_type: str = "str"
    columns: dict[str, str] = field(default_factory=dict)

    def key_for(self, fact: Fact) -> str:
        return self.columns.get(fact.name, self.key).replace("{date}", fact.date)


DATE = ("date",)
DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    # The calendar levels come from the fact's own date (no join over millions of rows); the date
    # dimension table is joined for what only it knows (ISO weeks, the working calendar).
    Dimension("year", _("Year"), "EXTRACT(YEAR FROM f.{date})", hierarchy="date", level=0, format="year",
              value_type="int"),
    Dimension("quarter", _("Quarter"), "EXTRACT(YEAR FROM f.{date}) * 10 + EXTRACT(QUARTER FROM f.{date})",
              hierarchy="date", level=1, format="quarter", value_type="int"),
    Dimension("month", _("Month"), "EXTRACT(YEAR FROM f.{date}) * 100 + EXTRACT(MONTH FROM f.{date})",
              hierarchy="date", level=2, format="month", value_type="int"),
    Dimension("day", _("Day"), "f.{date}", hierarchy="date", level=3, format="day", value_type="date"),
    Dimension("week", _("ISO week"), "d.iso_year * 100 + d.iso_week", DATE, format="week", value_type="int"),
    Dimension("working_day", _("Working day"), "d.is_working_day", DATE, format="bool", value_type="bool"),
    Dimension("region", _("Region"), "t.region", ("team",), hierarchy="organisation", level=0),
    Dimension("team", _("Team"), "t.team_id", ("team",), label_sql="t.name", hierarchy="organisation", level=1,
              value_type="int"),
    Dimension("representative", pgettext_lazy("explorer", "Representative"), "s.staff_id", ("staff",),
              label_sql="s.name", hierarchy="organisation", level=2, value_type="int",
              roles=SALES - {R.SALES_REP, R.KEY_ACCOUNT_MANAGER} | SERVICE | OFFICE),
    Dimension("lifecycle_stage", _("Lifecycle stage"), "c.lifecycle_stage", ("customer",),
              choices=(("customers.Customer", "lifecycle_stage"),)),
    Dimension("customer_kind", _("Customer kind"), "c.kind", ("customer",), choices=(("customers.Customer", "kind"),)),
    Dimension("customer_source", _("Customer source"), "c.source", ("customer",),
              choices=(("customers.Customer", "source"),)),
    Dimension("brand", _("Brand"), "b.brand_id", ("customer", "brand"), label_sql="b.name", value_type="int"),
    Dimension("product", _("Product"), "p.product_id", ("product",), label_sql="p.name",
              hierarchy="product", level=1, value_type="int"),
    Dimension("product_kind", _("Product kind"), "p.kind", ("product",), hierarchy="product", level=0,
              choices=(("catalog.Product", "kind"),)),
    Dimension("product_brand", _("Product brand"), "p.brand", ("product",)),
    Dimension("channel", _("Channel"), "f.channel", facts=frozenset({"case", "interaction"}),
              choices=(("servicedesk.Ticket", "channel"), ("customers.Interaction", "channel"))),
    Dimension("case_type", _("Case type"), "f.case_type", facts=frozenset({"case"}),
              choices=(("servicedesk.Ticket", "type"),)),
    Dimension("case_status", _("Case status"), "f.status", facts=frozenset({"case"}),
              choices=(("servicedesk.Ticket", "status"),)),
    Dimension("priority", _("Priority"), "f.priority", facts=frozenset({"case"}),
              choices=(("servicedesk.Ticket", "priority"),), value_type="int"),
    Dimension("customer_tier", _("Customer tier (key accounts)"), "f.customer_tier", facts=frozenset({"case"}),
              choices=(("servicedesk.Ticket", "customer_tier"),)),
    Dimension("direction", _("Direction"), "f.direction", facts=frozenset({"interaction"}),
              choices=(("customers.Interaction", "direction"),)),
    Dimension("order_status", _("Order status"), "f.order_status", facts=frozenset({"order_line"}),
              choices=(("orders.Order", "status"),)),
    Dimension("payment_method", _("Payment method"), "f.method", facts=frozenset({"payment"}),
              choices=(("orders.Payment", "method"),)),
    Dimension("customer", _("Customer"), "c.customer_id", ("customer",), value_type="int", personal=True,
              roles=SALES | OFFICE | {R.SERVICE_MANAGER}),
)}


def dimension_applies(dimension: Dimension, fact: Fact) -> bool:
    if dimension.facts is not None and fact.name not in dimension.facts:
        return False
    return all(join in fact.joins for join in dimension.joins)


def hierarchy_of(dimension: Dimension) -> list[Dimension]:
    """The levels of `dimension`'s hierarchy, top first (itself alone when it has none)."""
    if not dimension.hierarchy:
        return [dimension]
    return sorted((d for d in DIMENSIONS.values() if d.hierarchy == dimension.hierarchy), key=lambda d: d.level)


def drill_down_of(dimension: Dimension) -> Dimension | None:
    levels = hierarchy_of(dimension)
    index = levels.index(dimension)
    return levels[index + 1] if index + 1 < len(levels) else None


def drill_up_of(dimension: Dimension) -> Dimension | None:
    levels = hierarchy_of(dimension)
    index = levels.index(dimension)
    return levels[index - 1] if index > 0 else None
