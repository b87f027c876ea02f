"""The OLAP explorer: its figures equal direct ORM queries on the same data after a warehouse
refresh; rows outside the viewer's scope never count; personal data stays masked; bad input is
refused with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Q, Sum

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.explorer.query import ExplorerQuery, Filter, explorer_run
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.services.history import interaction_record
from guanxi.customers.tests.factories import make_customer
from guanxi.orders.models import OrderLine, Payment
from guanxi.orders.tests.factories import DAY, order, pay, world
from guanxi.sales.tests.factories import sales_team
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
YEAR = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 12, 31)}


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop():
    """Two sales teams with orders, payments, cases and contacts over two months."""
    w = world()
    _team2, manager2, (rep2, _other2) = sales_team("华南销售")
    theirs = make_customer(rep2, name="李四")
    for day, quantity in ((DAY, 2), (DAY + dt.timedelta(days=40), 3)):
        order(w["rep"], w["customer"], w["product"], quantity=quantity, day=day)
        order(rep2, theirs, w["product"], quantity=quantity + 1, day=day)
    order(w["rep"], w["customer"], w["product"], quantity=9, confirm=False)  # a draft: no revenue
    pay(w["rep"], w["customer"], "500.00")
    pay(rep2, theirs, "300.00")
    for customer, actor, kind in ((w["customer"], w["rep"], "fault"), (theirs, rep2, "complaint"),
                                  (theirs, rep2, "fault")):
        ticket_create(actor=actor, customer=customer, data={"subject": "宽带断线", "type": kind, "channel": "hotline"})
    interaction_record(actor=SYSTEM, customer=theirs, channel="call",
                       occurred_at=dt.datetime(2026, 3, 8, 20, tzinfo=dt.UTC), duration_seconds=120)
    warehouse_refresh(actor=SYSTEM, full=True)
    return {**w, "manager2": manager2, "rep2": rep2, "theirs": theirs}


def q(measures, rows=(), columns=(), filters=(), **dates):
    return ExplorerQuery(measures=tuple(measures), rows=tuple(rows), columns=tuple(columns),
                         filters=tuple(filters), **(dates or YEAR))


def test_revenue_by_month_and_team_equals_the_orm(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["revenue", "order_lines"], rows=["month"], columns=["team"]))
    sold = OrderLine.objects.filter(order__status__in=["confirmed", "delivered"])
    expected = {}
    for line in sold.select_related("order"):
        key = (line.order.order_date.year * 100 + line.order.order_date.month, line.order.team_id)
        expected[key] = expected.get(key, Decimal(0)) + line.line_total
    found = {}
    for r, row in enumerate(pivot.row_headers):
        for c, column in enumerate(pivot.column_headers):
            if pivot.values[r][c][0] is not None:
                found[(row[0].key, column[0].key)] = Decimal(str(pivot.values[r][c][0]))
    assert found == expected
    assert Decimal(str(pivot.total[0])) == sold.aggregate(s=Sum("line_total"))["s"]
    assert pivot.total[1] == sold.count()
    assert [h[0].label for h in pivot.row_headers] == ["2026-03", "2026-04"]


def test_cases_payments_and_contacts_equal_the_orm(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["cases"], rows=["case_type"]))
    by_type = dict(Ticket.objects.values_list("type").annotate(n=Count("id")))
    assert {h[0].key: pivot.values[i][0][0] for i, h in enumerate(pivot.row_headers)} == by_type
    assert "故障报修" in [h[0].label for h in pivot.row_headers]
    total = explorer_run(user=analyst, query=q(["received", "payments", "interactions"]))
    assert Decimal(str(total.total[0])) == Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert total.total[1:] == [Payment.objects.count(), 1]


def test_a_sales_managers_pivot_counts_only_their_teams_rows(shop):
    mine = explorer_run(user=shop["manager"], query=q(["revenue", "cases", "received"], rows=["team"]))
    assert [h[0].key for h in mine.row_headers] == [shop["team"].pk]
    lines = OrderLine.objects.filter(Q(order__team=shop["team"]) | Q(order__customer__team=shop["team"]),
                                     order__status__in=["confirmed", "delivered"])
    assert Decimal(str(mine.total[0])) == lines.aggregate(s=Sum("line_total"))["s"]
    assert mine.total[2] == 500.0
    # Whatever the dimensions and filters, the other team's rows never count.
    other = explorer_run(user=shop["manager"], query=q(["revenue"], filters=[
        Filter("team", (shop["rep2"].team_id,))]))
    assert other.total == [None]


def test_a_customer_dimension_is_masked_for_roles_without_personal_data(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["revenue"], rows=["customer"]))
    labels = [h[0].label for h in pivot.row_headers]
    assert "李四" not in labels and "华星客户" not in labels
    assert all(label.endswith("**") for label in labels)
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    with pytest.raises(PermissionDenied):  # service managers see no revenue
        explorer_run(user=manager, query=q(["revenue"], rows=["customer"]))
    shown = explorer_run(user=manager, query=q(["cases"], rows=["customer"]))
    assert sorted(h[0].label for h in shown.row_headers) == ["华星客户", "李四"]
    rep = shop["rep"]
    with pytest.raises(PermissionDenied):
        explorer_run(user=UserFactory(role=Role.AGENT), query=q(["cases"]))
    own = explorer_run(user=rep, query=q(["revenue"], rows=["customer"]))
    assert [h[0].label for h in own.row_headers] == ["华星客户"]


@pytest.mark.parametrize(("query", "code"), [
    (dict(measures=["revenue"], rows=["nope"]), "validation_error"),
    (dict(measures=["bogus"]), "validation_error"),
    (dict(measures=[]), "validation_error"),
    (dict(measures=["revenue"], date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 4, 1)), "validation_error"),
    (dict(measures=["revenue"], date_from=dt.date(1000, 5, 1), date_to=dt.date(2026, 4, 1)), "validation_error"),
    (dict(measures=["revenue"], rows=["case_type"]), "validation_error"),
    (dict(measures=["revenue"], rows=["month"], columns=["month"]), "validation_error"),
    (dict(measures=["revenue"], filters=[Filter("team", ("x",))]), "validation_error"),
    (dict(measures=["revenue"], filters=[Filter("team", (10**30,))]), "validation_error"),
    (dict(measures=["revenue"], filters=[Filter("day", ("2026-02-30",))]), "validation_error"),
    (dict(measures=["revenue"], rows=["day"], columns=["product"], date_from=dt.date(2000, 1, 1),
          date_to=dt.date(2009, 1, 1)), "ok"),
])
def test_bad_queries_are_refused_with_a_reason(shop, query, code):
    analyst = UserFactory(role=Role.ANALYST)
    dates = {k: query.pop(k) for k in ("date_from", "date_to") if k in query}
    built = q(**query, **dates)
    if code == "ok":
        explorer_run(user=analyst, query=built)
        return
    with pytest.raises(ValidationFailed) as refused:
        explorer_run(user=analyst, query=built)
    assert refused.value.code == code
    assert refused.value.fields or refused.value.message


def test_values_are_parameters_never_sql_text(shop):
    from guanxi.analytics.explorer.query import build_statements

    hostile = "华东' OR 1=1; DROP TABLE dim_team; --"
    query = q(["revenue", "cases"], rows=["region"], filters=[Filter("region", (hostile, None))])
    statements = build_statements(UserFactory(role=Role.ANALYST), query)
    assert all(hostile not in s.sql and hostile in s.parameters for s in statements)
    assert explorer_run(user=UserFactory(role=Role.ANALYST), query=query).total == [None, 0]


def test_too_many_cells_are_refused(shop, monkeypatch):
    from guanxi.analytics.explorer import query as module

    monkeypatch.setattr(module, "MAX_CELLS", 1)
    with pytest.raises(ValidationFailed) as refused:
        explorer_run(user=UserFactory(role=Role.ANALYST), query=q(["revenue"], rows=["month"]))
    assert refused.value.code == "too_many_cells"


def test_an_unbuilt_warehouse_is_reported(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "empty")
    with pytest.raises(Conflict) as refused:
        explorer_run(user=UserFactory(role=Role.ANALYST), query=q(["cases"]))
    assert refused.value.code == "warehouse_empty"


# ---------------------------------------------------------------- the API, saved views, export, page

from io import BytesIO  # noqa: E402

from django.test import Client  # noqa: E402

from guanxi.analytics.models import ExplorerView  # noqa: E402
from guanxi.core.testing import assert_error_body, client_for, post_json  # noqa: E402

API = "/api/v1/analytics/explorer"
BODY = {"measures": ["revenue"], "rows": ["team"], "date_from": "2026-01-01", "date_to": "2026-12-31"}


def test_the_api_answers_a_pivot_and_refuses_bad_input_with_a_reason(shop):
    analyst = client_for(UserFactory(role=Role.ANALYST), HTTP_ACCEPT_LANGUAGE="zh-hans")
    answer = post_json(analyst, f"{API}/query", BODY)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["measures"][0]["label"] == "收入"
    assert sum(v[0][0] for v in body["values"]) == body["total"][0] > 0
    assert analyst.get(f"{API}/catalogue").status_code == 200
    assert_error_body(post_json(analyst, f"{API}/query", {**BODY, "rows": ["case_type"]}), 422, "dimensions")
    assert_error_body(post_json(analyst, f"{API}/query", {**BODY, "measures": ["nope"]}), 422, "measures")
    refused = assert_error_body(post_json(analyst, f"{API}/query", {**BODY, "date_from": "2027-01-01"}), 422,
                                "date_to")
    assert "早于" in refused["fields"]["date_to"] or "before" in refused["fields"]["date_to"]
    service = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert assert_error_body(post_json(service, f"{API}/query", BODY), 403)["code"] == "measure_forbidden"
    agent = client_for(UserFactory(role=Role.AGENT))
    assert_error_body(post_json(agent, f"{API}/query", {**BODY, "measures": ["cases"]}), 403)


def test_saved_views_are_shared_paged_to_the_end_run_as_the_viewer_and_told_when_deleted(shop):
    analyst = UserFactory(role=Role.ANALYST)
    owner = client_for(analyst)
    made = [post_json(owner, f"{API}/views", {"name": f"视图{i}", "sharing": sharing, "query": BODY})
            for i, sharing in enumerate(("everyone", "private", "everyone"))]
    assert [m.status_code for m in made] == [201, 201, 201]
    ids, cursor = [], ""
    while True:
        page = owner.get(f"{API}/views", {"limit": 1, "cursor": cursor}).json()
        ids += [v["id"] for v in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert ids == [m.json()["id"] for m in made]
    manager = client_for(shop["manager2"])
    shared, private = made[0].json()["id"], made[1].json()["id"]
    assert [v["id"] for v in manager.get(f"{API}/views").json()["items"]] == [shared, made[2].json()["id"]]
    assert_error_body(manager.get(f"{API}/views/{private}"), 404)
    # The manager runs the analyst's view: only their own team's rows count.
    run = manager.post(f"{API}/views/{shared}/query").json()
    assert [h[0]["key"] for h in run["row_headers"]] == [shop["manager2"].team_id]
    # Not theirs to change or delete: refused, nothing changed.
    assert_error_body(manager.put(f"{API}/views/{shared}", {"name": "改", "sharing": "private", "query": BODY},
                                  content_type="application/json"), 403)
    assert manager.delete(f"{API}/views/{shared}").status_code == 403
    assert ExplorerView.objects.get(pk=shared).name == "视图0"
    assert owner.delete(f"{API}/views/{shared}").status_code == 204
    assert assert_error_body(manager.post(f"{API}/views/{shared}/query"), 410)["code"] == "view_deleted"
    assert_error_body(owner.get(f"{API}/views/{shared}"), 410)
    # A view may only be saved with what the saver's role may use.
    rep = client_for(shop["rep"])
    assert_error_body(post_json(rep, f"{API}/views", {"name": "x", "query": {**BODY, "rows": ["representative"]}}),
                      403)
    assert_error_body(post_json(owner, f"{API}/views", {"name": " ", "query": BODY}), 422, "name")


def test_the_xlsx_export_is_safe_from_formulas_and_follows_the_role(shop):
    from openpyxl import load_workbook

    shop["team"].name = "=HYPERLINK(\"http://x\")"
    shop["team"].save()
    from guanxi.accounts.access import SYSTEM as system

    warehouse_refresh(actor=system, full=True)
    analyst = client_for(UserFactory(role=Role.ANALYST))
    answer = post_json(analyst, f"{API}/export", BODY)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = [c for row in load_workbook(BytesIO(answer.content)).active.iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    rep = client_for(shop["rep"])
    assert_error_body(post_json(rep, f"{API}/export", BODY), 403)


def test_the_page_pivots_drills_down_and_up_and_reads_in_chinese(shop):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role=Role.ANALYST))
    page = client.get("/analytics/explorer/", {"m": ["revenue", "order_lines"], "r": "year", "c": "team",
                                                "from": "2026-01-01", "to": "2026-12-31"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "多维分析" in text and "gx-explorer-chart" in text
    drill = page.context["drills"]["cells"][0][0]
    assert "r=quarter" in drill and "f=year%3A2026" in drill
    down = client.get("/analytics/explorer/" + drill)
    assert [h[0].label for h in down.context["pivot"].row_headers] == ["2026年第1季度", "2026年第2季度"]
    up = down.context["drills"]["up"][0]
    assert "r=year" in up and "f=year" not in up
    assert client.get("/analytics/explorer/", {"m": "revenue", "from": "2026-05-01", "to": "2026-01-01"}
                      ).status_code == 422
    assert client.get("/analytics/explorer/", {"m": "revenue", "from": "2026-01-01", "to": "2026-12-31",
                                               "format": "xlsx"}).status_code == 200
    saved = client.post("/analytics/explorer/views/save/", {"name": "年度收入", "sharing": "team",
                                                           "query": "m=revenue&r=month&from=2026-01-01&to=2026-12-31"})
    view = ExplorerView.objects.get(name="年度收入")
    assert saved.status_code == 302 and saved["Location"].endswith(f"?view={view.pk}")
    assert client.get(f"/analytics/explorer/?view={view.pk}").context["pivot"].rows[0].name == "month"
    assert client.post(f"/analytics/explorer/views/{view.pk}/delete/").status_code == 302
    assert client.get(f"/analytics/explorer/?view={view.pk}").status_code == 410
    agent = Client()
    agent.force_login(UserFactory(role=Role.AGENT))
    assert agent.get("/analytics/explorer/").status_code == 403


# ---------------------------------------------------------------- the builder against pandas

import pandas as pd  # noqa: E402
from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from guanxi.analytics.explorer.catalogue import DIMENSIONS, MEASURES  # noqa: E402
from guanxi.analytics.warehouse.store import manifest_read, warehouse_dir  # noqa: E402

# How pandas computes each additive measure over its fact: (fact table, date column, condition, column or None).
SOLD = ("confirmed", "delivered")
PANDAS_MEASURES = {
    "cases": ("fact_case", "created_date", None, None),
    "breaches": ("fact_case", "created_date", lambda f: f["breached_at"].notna(), None),
    "interactions": ("fact_interaction", "occurred_date", None, None),
    "talk_minutes": ("fact_interaction", "occurred_date", None, "duration_minutes"),
    "revenue": ("fact_order_line", "order_date", lambda f: f["order_status"].isin(SOLD), "line_total"),
    "order_lines": ("fact_order_line", "order_date", lambda f: f["order_status"].isin(SOLD), None),
    "quantity": ("fact_order_line", "order_date", lambda f: f["order_status"].isin(SOLD), "quantity"),
    "received": ("fact_payment", "received_on", None, "net"),
    "payments": ("fact_payment", "received_on", None, None),
    "new_customers": ("dim_customer", "created_date", lambda f: f["is_live"], None),
}
PANDAS_DIMENSIONS = {
    "year": lambda f, d: pd.to_datetime(f[d]).dt.year,
    "quarter": lambda f, d: pd.to_datetime(f[d]).dt.year * 10 + pd.to_datetime(f[d]).dt.quarter,
    "month": lambda f, d: pd.to_datetime(f[d]).dt.year * 100 + pd.to_datetime(f[d]).dt.month,
    "team": lambda f, d: f["team_id"],
    "region": lambda f, d: f["team_region"],
    "lifecycle_stage": lambda f, d: f["c_lifecycle_stage"],
    "customer_kind": lambda f, d: f["c_kind"],
    "brand": lambda f, d: f["c_brand_id"],
    "representative": lambda f, d: f["owner_id"] if "owner_id" in f else f["staff_id"],
}
SPECIFIC = {"case_type": ("fact_case", "case_type"), "channel": ("fact_case", "channel"),
            "product": ("fact_order_line", "product_id"), "order_status": ("fact_order_line", "order_status")}


def _tables() -> dict[str, pd.DataFrame]:
    manifest, root = manifest_read(), warehouse_dir()
    frames = {name: pd.concat([pd.read_parquet(root / f) for f in files.base]) if files.base else pd.DataFrame()
              for name, files in manifest.tables.items()}
    return frames


def _pandas_pivot(frames, measure: str, dims: list[str], filters: dict[str, list]) -> dict[tuple, float]:
    table, date, condition, column = PANDAS_MEASURES[measure]
    fact = frames[table].copy()
    customers = frames["dim_customer"].add_prefix("c_")
    if table == "dim_customer":
        fact["c_customer_id"] = fact["customer_id"]
        fact = fact.merge(customers, on="c_customer_id", how="left", suffixes=("", "_dup"))
    else:
        fact = fact.merge(customers, left_on="customer_id", right_on="c_customer_id", how="left")
    teams = frames["dim_team"][["team_id", "region"]].rename(columns={"region": "team_region"})
    fact = fact.merge(teams, on="team_id", how="left")
    if "duration_seconds" in fact:
        fact["duration_minutes"] = fact["duration_seconds"] / 60.0
    if "amount" in fact:
        fact["net"] = fact["amount"].astype(float) - fact["refunded"].astype(float)
    days = pd.to_datetime(fact[date])
    fact = fact[(days >= pd.Timestamp(YEAR["date_from"])) & (days <= pd.Timestamp(YEAR["date_to"]))]
    if condition is not None:
        fact = fact[condition(fact).fillna(False).astype(bool)]
    keys = {}
    for name in set(dims) | set(filters):
        keys[name] = (fact[SPECIFIC[name][1]] if name in SPECIFIC else PANDAS_DIMENSIONS[name](fact, date))
    for name, values in filters.items():
        fact = fact[keys[name].isin(values)]
        keys = {k: v[fact.index] if len(v) != len(fact) else v for k, v in keys.items()}
    out: dict[tuple, float] = {}
    for index, row in fact.iterrows():
        key = tuple(None if pd.isna(keys[d][index]) else keys[d][index] for d in dims)
        value = 1.0 if column is None else float(row[column])
        out[key] = out.get(key, 0.0) + value
    return out


def _applies(measure: str, dims: list[str]) -> bool:
    table = PANDAS_MEASURES[measure][0]
    return all(name not in SPECIFIC or SPECIFIC[name][0] == table for name in dims)


QUERIES = st.tuples(st.sampled_from(sorted(PANDAS_MEASURES)),
                    st.lists(st.sampled_from(sorted(PANDAS_DIMENSIONS) + sorted(SPECIFIC)), max_size=2, unique=True),
                    st.sampled_from([None, *sorted(PANDAS_DIMENSIONS), *sorted(SPECIFIC)]),
                    st.integers(0, 3))


@hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=QUERIES)
def test_random_pivots_equal_pandas_over_the_same_parquet(shop, case):
    measure, dims, filtered, pick = case
    if not _applies(measure, dims + ([filtered] if filtered else [])):
        return
    frames = _tables()
    filters = {}
    if filtered:
        present = sorted({k[0] for k in _pandas_pivot(frames, measure, [filtered], {}) if k[0] is not None},
                         key=str)
        filters = {filtered: present[pick % len(present):][:1] if present else ["nothing"]}
    if filtered and DIMENSIONS[filtered].value_type == "int" and filters[filtered] == ["nothing"]:
        filters[filtered] = [-1]
    expected = _pandas_pivot(frames, measure, dims, filters)
    pivot = explorer_run(user=UserFactory.build(role=Role.ANALYST, pk=10**6), query=q(
        [measure], rows=dims[:1], columns=dims[1:],
        filters=[Filter(name, tuple(v.item() if hasattr(v, "item") else v for v in values))
                 for name, values in filters.items()]))
    found = {}
    for r, row in enumerate(pivot.row_headers):
        for c, column in enumerate(pivot.column_headers):
            value = pivot.values[r][c][0] if pivot.values else None
            if value not in (None, 0):
                found[tuple(h.key for h in row + column)] = float(value)
    assert {k: round(v, 2) for k, v in found.items()} == {k: round(v, 2) for k, v in expected.items() if v}
    assert round(float(pivot.total[0] or 0), 2) == round(sum(expected.values()), 2)
    assert MEASURES[measure].fact


# ---------------------------------------------------------------- rollups against the detail facts

from guanxi.analytics.explorer.catalogue import FACTS, dimension_applies  # noqa: E402
from guanxi.analytics.explorer.query import build_statements, dimension_allowed, measure_allowed  # noqa: E402
from guanxi.analytics.warehouse.rollups import ROLLUP_NAMES  # noqa: E402

# Each measure with rollups is asked for by a few of these (those that apply to its fact), over whole
# months and over days that are not.
ROLLUP_DIMENSIONS = (("month", "team"), ("quarter", "region"), ("representative",), ("week",),
                     ("lifecycle_stage", "customer_kind"), ("brand", "year"), ("customer_source",),
                     ("day", "channel"), ("case_type", "priority"), ("case_status", "customer_tier"),
                     ("product", "quarter"), ("order_status",), ("payment_method",), ("direction", "month"))
NOT_ALIGNED = {"date_from": dt.date(2026, 3, 5), "date_to": dt.date(2026, 4, 20)}


def _shape(pivot):
    return ([[h.key for h in row] for row in pivot.row_headers], [[h.key for h in c] for c in pivot.column_headers],
            [[h.label for h in row] for row in pivot.row_headers], pivot.values, pivot.row_totals,
            pivot.column_totals, pivot.total)


def _rollup_queries(user, with_filter):
    measures = {}
    for name, measure in MEASURES.items():  # one measure per fact (they share its rollups), two for orders
        if measure.rollup_sql and measure_allowed(user, name) and len(measures.get(measure.fact, [])) < 2:
            measures.setdefault(measure.fact, []).append(name)
    for fact_name, names in measures.items():
        fact = FACTS[fact_name]
        applying = [dims for dims in ROLLUP_DIMENSIONS
                    if all(dimension_applies(DIMENSIONS[d], fact) and dimension_allowed(user, d) for d in dims)]
        for index, dims in enumerate(applying):
            filters = [Filter("team", (with_filter,))] if with_filter else []
            yield q(names, rows=dims[:1], columns=dims[1:], filters=filters, **(YEAR if index % 3 else NOT_ALIGNED))


@pytest.mark.parametrize("who", ["analyst", "manager", "service_manager"])
def test_rollups_answer_exactly_what_the_detail_facts_answer(shop, who):
    """Every additive measure, by most dimensions, as a role that sees every row and as roles with a row
    scope (the sales manager's also filtered by a team)."""
    user = {"analyst": UserFactory(role=Role.ANALYST), "manager": shop["manager"],
            "service_manager": UserFactory(role=Role.SERVICE_MANAGER)}[who]
    available = {n: f.rows for n, f in manifest_read().tables.items() if n in ROLLUP_NAMES}
    assert len(available) == len(ROLLUP_NAMES)  # a small warehouse gets every rollup
    used = 0
    for query in _rollup_queries(user, shop["team"].pk if who == "manager" else None):
        from_rollup = explorer_run(user=user, query=query)
        from_detail = explorer_run(user=user, query=query, rollups=False)
        assert _shape(from_rollup) == _shape(from_detail), query
        used += any(s.rollup for s in build_statements(user, query, available))
    assert used >= 8


def test_the_planner_reads_a_rollup_only_when_it_has_everything_the_query_names(shop):
    analyst, manager = UserFactory(role=Role.ANALYST), shop["manager"]
    available = {n: f.rows for n, f in manifest_read().tables.items() if n in ROLLUP_NAMES}

    def source(user, query):
        return [s.rollup for s in build_statements(user, query, available)]

    assert source(analyst, q(["revenue", "order_lines"], rows=["month"], columns=["team"]))[0].startswith(
        "agg_order_line_")
    assert source(analyst, q(["revenue"], rows=["product"], columns=["quarter"])) == ["agg_order_line_month"]
    assert source(manager, q(["interactions"], rows=["lifecycle_stage"], columns=["customer_kind"])) == [
        "agg_interaction_month_customer"]
    assert source(analyst, q(["interactions"], rows=["week"]))[0] in ("agg_interaction_day",
                                                                      "agg_interaction_day_scope")
    # Not whole months: no month rollup; a distinct count of customers or a customer: the rollup by customer
    # (at any grain, by any of its columns), else the detail.
    assert source(analyst, q(["revenue"], rows=["product"], **NOT_ALIGNED)) == [""]
    by_customer = ["agg_order_line_customer_day"]
    assert source(analyst, q(["arpu"], rows=["quarter"])) == by_customer
    assert source(manager, q(["buying_customers"], rows=["week"], columns=["region"], **NOT_ALIGNED)) == by_customer
    assert source(analyst, q(["revenue"], rows=["customer"])) == by_customer
    assert source(analyst, q(["arpu"], rows=["product"])) == [""]  # lines of one order differ in product
    assert source(analyst, q(["customer_arpu"], rows=["month"])) == [""]  # an average: not from a rollup
    assert source(analyst, q(["cases"], filters=[Filter("customer", (shop["customer"].pk,))])) == [""]
    assert build_statements(analyst, q(["revenue"], rows=["month"]))[0].rollup == ""  # none offered


def _rollup_rows() -> dict[str, list]:
    from guanxi.analytics.warehouse.store import connect

    reader = connect()
    try:
        return {name: sorted(reader.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
                for name in sorted(ROLLUP_NAMES)}
    finally:
        reader.close()


def test_rollups_after_an_incremental_refresh_equal_a_rebuild_and_the_detail(shop):
    """New rows, changed rows and a customer moved to another owner and team (every month of theirs)."""
    from guanxi.customers.models import Customer

    analyst = UserFactory(role=Role.ANALYST)
    order(shop["rep2"], shop["theirs"], shop["product"], quantity=7, day=DAY)
    interaction_record(actor=SYSTEM, customer=shop["customer"], channel="visit",
                       occurred_at=dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC), duration_seconds=60)
    Customer.objects.filter(pk=shop["theirs"].pk).update(owner=shop["rep"], team=shop["team"])
    warehouse_refresh(actor=SYSTEM, full=False)
    incremental = _rollup_rows()
    for query in (q(["revenue", "quantity"], rows=["month"], columns=["team"]),
                  q(["buying_customers", "arpu"], rows=["quarter"], columns=["lifecycle_stage"]),
                  q(["interactions", "talk_minutes"], rows=["channel"], columns=["lifecycle_stage"])):
        from_rollup = explorer_run(user=analyst, query=query)
        assert _shape(from_rollup) == _shape(explorer_run(user=analyst, query=query, rollups=False))
    mine = q(["revenue", "arpu", "cases", "interactions"], rows=["month"])
    assert _shape(explorer_run(user=shop["manager"], query=mine)) == _shape(
        explorer_run(user=shop["manager"], query=mine, rollups=False))
    sold = OrderLine.objects.filter(order__status__in=["confirmed", "delivered"])
    total = explorer_run(user=analyst, query=q(["quantity", "interactions"])).total
    assert total == [sum(line.quantity for line in sold), 2]
    warehouse_refresh(actor=SYSTEM, full=True)
    assert incremental == _rollup_rows()
    assert incremental["agg_interaction_day"]  # not empty tables compared


# Every date grain the explorer offers, by organisation, customer attributes and the customer itself.
DISTINCT_DIMENSIONS = (("quarter", "region"), ("month", "team"), ("year", "representative"), ("week",), ("day",),
                       ("lifecycle_stage", "customer_kind"), ("brand", "customer_source"), ("order_status", "quarter"),
                       ("customer",), ())


@pytest.mark.parametrize("who", ["analyst", "manager", "rep"])
def test_distinct_customers_from_the_rollup_by_customer_equal_the_detail(shop, who):
    """Buying customers and ARPU (distinct counts: they do not add up) by every date grain and by the
    organisation and the customer's attributes, over whole months and over days that are not, as a role
    that sees every row and as scoped roles (the manager's also filtered by a team): read from the rollup
    by customer, exactly the detail's figures. One customer buys from both teams, twice in a quarter and
    in another quarter: counted once in every total."""
    order(SYSTEM, shop["customer"], shop["product"], owner=shop["rep2"], quantity=4, day=DAY + dt.timedelta(days=3))
    order(SYSTEM, shop["customer"], shop["product"], owner=shop["rep2"], quantity=1, day=DAY + dt.timedelta(days=100))
    warehouse_refresh(actor=SYSTEM, full=True)
    user = {"analyst": UserFactory(role=Role.ANALYST), "manager": shop["manager"], "rep": shop["rep2"]}[who]
    filters = [Filter("team", (shop["team"].pk,))] if who == "manager" else []
    available = {n: f.rows for n, f in manifest_read().tables.items() if n in ROLLUP_NAMES}
    compared = 0
    for dims in DISTINCT_DIMENSIONS:
        if not all(dimension_allowed(user, d) for d in dims):
            continue
        for dates in (YEAR, NOT_ALIGNED):
            query = q(["buying_customers", "arpu", "revenue"], rows=dims[:1], columns=dims[1:], filters=filters,
                      **dates)
            assert [s.rollup for s in build_statements(user, query, available)] == ["agg_order_line_customer_day"]
            from_rollup = explorer_run(user=user, query=query)
            assert _shape(from_rollup) == _shape(explorer_run(user=user, query=query, rollups=False)), query
            compared += bool(from_rollup.total[0])
    assert compared >= 10
    if who == "analyst":  # the figures themselves, from the ORM
        sold = OrderLine.objects.filter(order__status__in=["confirmed", "delivered"], order__order_date__year=2026)
        buyers = sold.values("order__customer").distinct().count()
        revenue = sold.aggregate(total=Sum("line_total"))["total"]
        by_team = explorer_run(user=user, query=q(["buying_customers"], rows=["team"]))
        assert explorer_run(user=user, query=q(["buying_customers", "arpu"])).total == [
            buyers, pytest.approx(float(revenue / buyers))]
        assert buyers == 2 and [row[0] for row in by_team.row_totals] == [1, 2]  # counted in both teams, once in all


def test_the_rollup_by_customer_after_an_incremental_refresh_equals_a_rebuild_and_the_detail(shop, monkeypatch):
    """With the deltas kept (so the rollup by customer is brought up to date customer by customer, not
    rebuilt): a new order of a customer who bought before, a draft confirmed, an order cancelled and a
    customer moved to another owner and team. Its rows equal a full rebuild's; distinct figures the detail's."""
    from guanxi.analytics.warehouse import refresh as refresh_module
    from guanxi.analytics.warehouse import rollups as rollups_module
    from guanxi.customers.models import Customer
    from guanxi.orders import services as orders

    monkeypatch.setattr(refresh_module, "COMPACT_SHARE", 1000.0)
    recomputed, real = [], rollups_module._affected_customers  # what an incremental refresh recomputes by customer

    def affected(*args, **kwargs):
        recomputed.append(found := real(*args, **kwargs))
        return found

    monkeypatch.setattr(rollups_module, "_affected_customers", affected)
    analyst = UserFactory(role=Role.ANALYST)
    draft = order(shop["rep"], shop["customer"], shop["product"], quantity=3, confirm=False,
                  day=DAY + dt.timedelta(days=5))
    sold = order(shop["rep2"], shop["theirs"], shop["product"], quantity=2, day=DAY + dt.timedelta(days=6))
    warehouse_refresh(actor=SYSTEM, full=True)
    before = _rollup_rows()["agg_order_line_customer_day"]
    order(SYSTEM, shop["customer"], shop["product"], owner=shop["rep2"], quantity=7, day=DAY + dt.timedelta(days=70))
    orders.order_confirm(actor=shop["rep"], order=draft)
    orders.order_cancel(actor=shop["rep2"], order=sold, reason="重复下单")
    Customer.objects.filter(pk=shop["theirs"].pk).update(owner=shop["rep"], team=shop["team"])
    warehouse_refresh(actor=SYSTEM, full=False)
    assert manifest_read().tables["fact_order_line"].delta  # deltas, not a new base: rows kept by customer
    assert recomputed == [True]  # the full refreshes recompute everything without asking
    incremental = _rollup_rows()
    warehouse_refresh(actor=SYSTEM, full=False)  # nothing changed since: every rollup kept as it is
    assert recomputed == [True, False] and _rollup_rows() == incremental
    assert incremental["agg_order_line_customer_day"] != before
    for user, dims in ((analyst, ("quarter", "region")), (analyst, ("month", "lifecycle_stage")),
                       (shop["manager"], ("week",)), (shop["rep"], ("year", "customer"))):
        query = q(["buying_customers", "arpu"], rows=dims[:1], columns=dims[1:])
        assert _shape(explorer_run(user=user, query=query)) == _shape(explorer_run(user=user, query=query,
                                                                                    rollups=False)), query
    warehouse_refresh(actor=SYSTEM, full=True)
    assert incremental == _rollup_rows()
