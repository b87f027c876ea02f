"""The star schema rebuilt on Spark (local mode) holds what the single-machine rebuild holds: every
fact, dimension and rollup, row for row, with the same column types and exact money."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.models import WarehouseRefresh
from guanxi.analytics.services import warehouse_refresh
from guanxi.analytics.warehouse.store import connect, manifest_read, warehouse_dir
from guanxi.customers.models import Address
from guanxi.customers.tests.factories import make_customer
from guanxi.key_accounts.tests.factories import account
from guanxi.marketing.models import CampaignMember
from guanxi.marketing.services.campaigns import response_record
from guanxi.marketing.tests.campaign_factories import make_campaign
from guanxi.orders.tests.factories import order, world
from guanxi.sales.tests.factories import deal
from guanxi.surveys.services.surveys import survey_answer_by_token, survey_create
from guanxi.surveys.tests.factories import GOOD, closed_case, published_version

from .test_warehouse import NOW, _activity

# Once per CI run, on the production database (the PostgreSQL pass): a minute of Spark each time.
pytestmark = [pytest.mark.django_db, pytest.mark.spark,
              pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass")]


def _business(admin):
    """A little of everything the star schema reads: orders (one at 0.10 a unit), payments, cases,
    contacts, addresses (the default one second), a key account, a deal, a survey answer, a campaign
    response."""
    w = world()
    _activity(w)
    order(w["rep"], w["customer"], w["product"], quantity=3, unit_price=Decimal("0.10"))
    for province, is_default in (("广东省", False), ("北京市", True), ("上海市", False)):
        Address.objects.create(customer=w["customer"], province=province, city="市", district="区", street="路1号",
                               is_default=is_default)
    other = make_customer(w["rep"], name="次要客户", lifecycle_stage="churned")
    for province in ("四川省", "湖南省"):
        Address.objects.create(customer=other, province=province, city="市", district="区", street="路2号")
    account(admin, w["manager"])
    deal(w["rep"], w["customer"], amount="12345.67")
    case = closed_case(w["rep"], w["customer"])
    _survey, token = survey_create(version=published_version(), customer=w["customer"], mode="web", trigger="case",
                                  ticket=case, now=NOW, with_link=True)
    survey_answer_by_token(token=token, answers=GOOD, now=NOW)
    member = CampaignMember.objects.create(campaign=make_campaign(), customer=w["customer"], status="sent",
                                           added_at=NOW, sent_at=NOW)
    response_record(actor=admin, member=member, kind="interested", channel="sms")


def _warehouse() -> dict[str, tuple[list, list]]:
    """Every table the manifest lists: its column types and its rows, sorted."""
    reader = connect()
    try:
        return {name: (reader.execute(f"DESCRIBE {name}").fetchall(),
                       sorted(reader.execute(f"SELECT * FROM {name}").fetchall(), key=repr))
                for name in manifest_read().tables}
    finally:
        reader.close()


def test_the_star_schema_built_on_spark_equals_the_single_machine_build(admin, settings, tmp_path):
    with time_machine.travel(NOW, tick=False):
        _business(admin)
        settings.WAREHOUSE_DIR = str(tmp_path / "local")
        warehouse_refresh(actor=SYSTEM, full=True)
        local = _warehouse()

        settings.BATCH_ENGINE = "spark"
        settings.SPARK_WORK_DIR = str(tmp_path / "spark")
        settings.WAREHOUSE_DIR = str(tmp_path / "on-spark")
        run = warehouse_refresh(actor=SYSTEM, full=True)
        on_spark = _warehouse()

    assert run.status == WarehouseRefresh.Status.DONE
    assert on_spark.keys() == local.keys()
    for name, (types, rows) in local.items():
        assert on_spark[name][0] == types, name
        assert on_spark[name][1] == rows, name
    assert all(local[name][1] for name in ("fact_survey_answer", "fact_campaign_response", "fact_opportunity",
                                           "agg_order_line_month", "agg_customer_month"))
    regions = {row[0]: row[10] for row in local["dim_customer"][1]}
    assert sorted(regions.values()) == ["", "北京市", "四川省"]  # the default address, else the first
    sold = sum(row[5] for row in local["fact_order_line"][1] if row[7] in ("confirmed", "delivered"))
    assert sold == sum(row[-2] or 0 for row in on_spark["agg_order_line_month"][1]) == Decimal("6000.30")
    # The Spark build leaves only the files its manifest lists, and no exported inputs.
    listed = manifest_read().files()
    assert {str(p.relative_to(warehouse_dir())) for p in warehouse_dir().glob("*/*")} == listed
    assert not [p for p in (tmp_path / "spark").glob("warehouse-*")]
