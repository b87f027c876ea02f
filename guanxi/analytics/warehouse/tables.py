"""What the warehouse holds: one `WarehouseTable` per fact or dimension, with the SQL that reads it
from the operational database. Column kinds are the warehouse's types, the same on every engine:
int, str, bool, float, money (DECIMAL(14,2)), ts (UTC timestamp), date."""

from __future__ import annotations

from dataclasses import dataclass, field

DUCKDB_TYPES = {"int": "BIGINT", "str": "VARCHAR", "bool": "BOOLEAN", "float": "DOUBLE", "money": "DECIMAL(14,2)",
                "ts": "TIMESTAMP", "date": "DATE"}


@dataclass(frozen=True)
class WarehouseTable:
    """`select` reads the rows (alias the main table `t`, no WHERE); `key` is the column that names a
    row. `sources` maps each operational table whose changes touch this table to the column of `t`
    its changed ids are matched on (e.g. an order's change re-reads its lines by `t.order_id`).
    `local_dates` adds a DATE column in Beijing time for each timestamp column (name → timestamp).
    A `full` table is small and rewritten whole by every refresh."""

    name: str
    select: str
    key: str
    columns: tuple[tuple[str, str], ...]
    sources: dict[str, str] = field(default_factory=dict)
    local_dates: dict[str, str] = field(default_factory=dict)
    full: bool = False

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return self.columns + tuple((name, "date") for name in self.local_dates)


CUSTOMER = WarehouseTable(
    name="dim_customer",
    key="customer_id",
    # The segment is the customer's kind (individual / organisation, dim_segment); region = the province of the default
    # address (else the first); churned_at = when a churned customer was last changed, i.e. marked churned.
    # The address is the one no other address of the customer comes before (default first, then by id): an anti-join
    # that PostgreSQL, SQLite and Spark SQL all run (Spark has no correlated LIMIT 1), and that the databases still
    # answer by the customer's index when a refresh reads a few customers (a window over every address would not).
    select="""SELECT t.id, t.kind, t.brand_id, t.lifecycle_stage, t.source, t.owner_id, t.team_id, t.arpu,
                     t.created_at, (t.deleted_at IS NULL AND t.merged_into_id IS NULL), COALESCE(a.province, ''),
                     EXISTS (SELECT 1 FROM key_accounts_keyaccount k WHERE k.customer_id = t.id AND k.is_active),
                     CASE WHEN t.lifecycle_stage = 'churned' THEN t.updated_at END
              FROM customers_customer t LEFT JOIN (
                  SELECT a.customer_id, a.province FROM customers_address a WHERE NOT EXISTS (
                      SELECT 1 FROM customers_address b WHERE b.customer_id = a.customer_id
                      AND ((b.is_default AND NOT a.is_default) OR (b.is_default = a.is_default AND b.id < a.id)))
              ) a ON a.customer_id = t.id""",
    columns=(("customer_id", "int"), ("kind", "str"), ("brand_id", "int"), ("lifecycle_stage", "str"),
             ("source", "str"), ("owner_id", "int"), ("team_id", "int"), ("arpu", "money"), ("created_at", "ts"),
             ("is_live", "bool"), ("region", "str"), ("is_key_account", "bool"), ("churned_at", "ts")),
    # Addresses and key-account designations are captured by their customer's id (CAPTURE_COLUMNS).
    sources={"customers_customer": "id", "customers_address": "id", "key_accounts_keyaccount": "id"},
    local_dates={"created_date": "created_at", "churned_date": "churned_at"},
)

CASE = WarehouseTable(
    name="fact_case",
    key="case_id",
    select="""SELECT t.id, t.customer_id, t.type, t.channel, t.category_id, t.priority, t.status, t.customer_tier,
                     t.owner_id, t.team_id, t.created_at, t.first_responded_at, t.resolved_at, t.closed_at,
                     t.breached_at, t.reopen_count
              FROM servicedesk_ticket t""",
    columns=(("case_id", "int"), ("customer_id", "int"), ("case_type", "str"), ("channel", "str"),
             ("category_id", "int"), ("priority", "int"), ("status", "str"), ("customer_tier", "str"),
             ("owner_id", "int"), ("team_id", "int"), ("created_at", "ts"), ("first_responded_at", "ts"),
             ("resolved_at", "ts"), ("closed_at", "ts"), ("breached_at", "ts"), ("reopen_count", "int")),
    sources={"servicedesk_ticket": "id"},
    local_dates={"created_date": "created_at", "closed_date": "closed_at"},
)

INTERACTION = WarehouseTable(
    name="fact_interaction",
    key="interaction_id",
    select="""SELECT t.id, t.customer_id, t.channel, t.direction, t.occurred_at, t.staff_id, t.team_id,
                     t.duration_seconds
              FROM customers_interaction t""",
    columns=(("interaction_id", "int"), ("customer_id", "int"), ("channel", "str"), ("direction", "str"),
             ("occurred_at", "ts"), ("staff_id", "int"), ("team_id", "int"), ("duration_seconds", "int")),
    sources={"customers_interaction": "id"},
    local_dates={"occurred_date": "occurred_at"},
)

ORDER_LINE = WarehouseTable(
    name="fact_order_line",
    key="order_line_id",
    select="""SELECT t.id, t.order_id, o.customer_id, t.product_id, t.quantity, t.line_total, o.order_date,
                     o.status, o.owner_id, o.team_id
              FROM orders_orderline t JOIN orders_order o ON o.id = t.order_id""",
    columns=(("order_line_id", "int"), ("order_id", "int"), ("customer_id", "int"), ("product_id", "int"),
             ("quantity", "int"), ("line_total", "money"), ("order_date", "date"), ("order_status", "str"),
             ("owner_id", "int"), ("team_id", "int")),
    sources={"orders_orderline": "id", "orders_order": "order_id"},
)

PAYMENT = WarehouseTable(
    name="fact_payment",
    key="payment_id",
    select="""SELECT t.id, t.customer_id, t.owner_id, t.team_id, t.received_on, t.amount, t.refunded, t.method
              FROM orders_payment t""",
    columns=(("payment_id", "int"), ("customer_id", "int"), ("owner_id", "int"), ("team_id", "int"),
             ("received_on", "date"), ("amount", "money"), ("refunded", "money"), ("method", "str")),
    sources={"orders_payment": "id"},
)

TEAM = WarehouseTable(
    name="dim_team", key="team_id", full=True,
    select="SELECT t.id, t.name, t.kind, t.region FROM accounts_team t",
    columns=(("team_id", "int"), ("name", "str"), ("kind", "str"), ("region", "str")),
)

STAFF = WarehouseTable(
    name="dim_staff", key="staff_id", full=True,
    select="""SELECT t.id, COALESCE(NULLIF(t.display_name, ''), t.username), t.role, t.team_id, t.is_active
              FROM accounts_user t""",
    columns=(("staff_id", "int"), ("name", "str"), ("role", "str"), ("team_id", "int"), ("is_active", "bool")),
)

PRODUCT = WarehouseTable(
    name="dim_product", key="product_id", full=True,
    select="SELECT t.id, t.model_code, t.name, t.kind, t.brand, t.category_id FROM catalog_product t",
    columns=(("product_id", "int"), ("model_code", "str"), ("name", "str"), ("kind", "str"), ("brand", "str"),
             ("category_id", "int")),
)

BRAND = WarehouseTable(
    name="dim_brand", key="brand_id", full=True,
    select="SELECT t.id, t.name FROM customers_brand t",
    columns=(("brand_id", "int"), ("name", "str")),
)

SURVEY_ANSWER = WarehouseTable(
    name="fact_survey_answer",
    key="answer_id",
    select="""SELECT t.id, r.survey_id, s.customer_id, s.ticket_id, q.type, t.dimension, t.score, t.score_pct,
                     r.mode, t.answered_at
              FROM surveys_answer t JOIN surveys_surveyresponse r ON r.id = t.response_id
              JOIN surveys_survey s ON s.id = r.survey_id JOIN surveys_question q ON q.id = t.question_id""",
    columns=(("answer_id", "int"), ("survey_id", "int"), ("customer_id", "int"), ("case_id", "int"),
             ("question_type", "str"), ("dimension", "str"), ("score", "float"), ("score_pct", "float"),
             ("mode", "str"), ("answered_at", "ts")),
    sources={"surveys_answer": "id"},
    local_dates={"answered_date": "answered_at"},
)

CAMPAIGN_RESPONSE = WarehouseTable(
    name="fact_campaign_response",
    key="response_id",
    select="""SELECT t.id, m.campaign_id, m.customer_id, t.kind, t.channel, t.lead_id, t.responded_at
              FROM marketing_campaignresponse t JOIN marketing_campaignmember m ON m.id = t.member_id""",
    columns=(("response_id", "int"), ("campaign_id", "int"), ("customer_id", "int"), ("response_kind", "str"),
             ("channel", "str"), ("lead_id", "int"), ("responded_at", "ts")),
    sources={"marketing_campaignresponse": "id"},
    local_dates={"responded_date": "responded_at"},
)

OPPORTUNITY = WarehouseTable(
    name="fact_opportunity",
    key="opportunity_id",
    select="""SELECT t.id, t.customer_id, t.owner_id, t.team_id, t.stage_id, t.status, t.amount, t.probability,
                     t.expected_close_date, t.created_at, t.closed_at
              FROM sales_opportunity t""",
    columns=(("opportunity_id", "int"), ("customer_id", "int"), ("owner_id", "int"), ("team_id", "int"),
             ("stage_id", "int"), ("status", "str"), ("amount", "money"), ("probability", "int"),
             ("expected_close_date", "date"), ("created_at", "ts"), ("closed_at", "ts")),
    sources={"sales_opportunity": "id"},
    local_dates={"created_date": "created_at", "closed_date": "closed_at"},
)

TABLES: tuple[WarehouseTable, ...] = (TEAM, STAFF, PRODUCT, BRAND, CUSTOMER, CASE, INTERACTION, ORDER_LINE, PAYMENT,
                                      SURVEY_ANSWER, CAMPAIGN_RESPONSE, OPPORTUNITY)

# The operational tables whose row changes the capture triggers record.
CAPTURED_SOURCES: tuple[str, ...] = tuple(dict.fromkeys(source for table in TABLES for source in table.sources))
# The column a source's triggers record, when not its own id: a changed address or key-account
# designation is recorded as its customer's id, so that a deleted one still re-reads its customer.
CAPTURE_COLUMNS: dict[str, str] = {"customers_address": "customer_id", "key_accounts_keyaccount": "customer_id"}
