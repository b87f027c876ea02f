"""Batch jobs killed with SIGKILL as real processes (`python -m guanxi.cli …`) in the middle of their
work: a customer import, a duplicate scan's merges, a value run and a star-schema refresh. Each
leaves no partial data and a rerun completes to what an uninterrupted run gives."""

import csv
import datetime as dt
import json

import pytest
from django.db import connection, transaction

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Address, Customer, CustomerMerge, DedupeScan, ImportJob, MatchCandidate, Tag
from guanxi.customers.services.imports import import_jobs_fail_interrupted
from guanxi.customers.tests.factories import make_customer

from .support import (
    cli,
    cli_run,
    isolate_folders,
    other_backend_holds,
    other_backend_waits,
    process_env,
    sessions_gone,
    sigkill,
    table_exists,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def env(tmp_path, settings):
    isolate_folders(settings, tmp_path)
    return process_env()


# ---------------------------------------------------------------- the customer import


def test_an_import_killed_in_its_commit_writes_nothing_and_a_rerun_imports_every_row_once(env, admin, tmp_path):
    rows = 8_000
    path = tmp_path / "customers.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "name", "mobile", "email", "province", "city", "street", "tags"])
        for i in range(rows):
            writer.writerow(["individual", f"客户{i}", f"137{i:08d}", f"k{i}@example.com", "广东", "广州市",
                             f"天河路{i}号", "导入"])
    process = cli("import", "customers", str(path), "--workers", "1", env=env, log=tmp_path / "import.log")
    wait_until(lambda: other_backend_holds(Customer._meta.db_table, ("ShareRowExclusiveLock",)), timeout=120,
               what="the import's commit transaction", process=process)
    # Its process is alive: the job is not taken for interrupted.
    assert import_jobs_fail_interrupted() == 0
    sigkill(process)
    sessions_gone(env)
    assert Customer.objects.count() == 0 and Customer.history.count() == 0
    assert Address.objects.count() == 0 and not Tag.objects.filter(name="导入").exists()
    killed = ImportJob.objects.get()
    assert (killed.status, killed.runner) == (ImportJob.Status.IMPORTING, ImportJob.Runner.PROCESS)
    cli_run("import", "customers", str(path), "--workers", "1", env=env, log=tmp_path / "rerun.log")
    assert Customer.objects.count() == rows == Customer.objects.values("mobile").distinct().count()
    assert Customer.history.filter(history_type="+").count() == rows and Address.objects.count() == rows
    assert Customer.objects.filter(tags__name="导入").count() == rows
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE, created_count=rows).count() == 1
    # No process will finish the killed job: the rerun found it interrupted, and it says so.
    killed.refresh_from_db()
    assert killed.status == ImportJob.Status.FAILED and killed.message.startswith("The import was interrupted")


# ---------------------------------------------------------------- a duplicate scan's merges


def _duplicates(admin) -> list[tuple[Customer, Customer]]:
    """Four people entered twice in other ways (each copy with a tag of its own), and unrelated ones."""
    pairs = []
    for i, (name, other) in enumerate([("张伟明", "張偉明"), ("李娜", "李娜"), ("王芳", "王芳"), ("刘洋", "劉洋")]):
        mobile = f"1381234{i:04d}"
        first = make_customer(admin, name=name, mobile=mobile, email=f"p{i}@example.com",
                              birth_date=dt.date(1980 + i, 5, 4), tags=[f"甲{i}"])
        second = make_customer(admin, name=other, mobile=f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
                               email=f"P{i}@EXAMPLE.COM", birth_date=dt.date(1980 + i, 5, 4), tags=[f"乙{i}"])
        pairs.append((first, second))
    for i, name in enumerate(["赵强", "钱敏", "孙丽", "周杰", "吴静", "郑涛", "冯刚", "陈平"]):
        make_customer(admin, name=name, mobile=f"1370000{i:04d}", birth_date=dt.date(1970 + i, 1, 2))
    return pairs


def _merge_state() -> dict:
    return {
        "live": sorted(Customer.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True)),
        "merged_into": sorted(Customer.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")),
        "tags": sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
        "candidates": sorted(MatchCandidate.objects.values_list("left_id", "right_id", "status")),
        "merges": CustomerMerge.objects.count(),
    }


def test_merges_killed_mid_transaction_leave_whole_merges_only_and_a_rerun_merges_the_rest(env, admin, tmp_path):
    pairs = _duplicates(admin)
    args = ("dedupe", "scan", "--threshold", "0.8", "--auto-merge-above", "0.8")
    # Held: the last pair's survivor will take the other copy's tag, a row this transaction has just
    # inserted (uncommitted): that merge waits there, after moving rows and saving the survivor.
    first, second = pairs[-1]
    through = Customer.tags.through
    first_tag, second_tag = first.tags.get(), second.tags.get()
    with transaction.atomic():
        through.objects.create(customer_id=first.pk, tag=second_tag)
        through.objects.create(customer_id=second.pk, tag=first_tag)
        process = cli(*args, env=env, log=tmp_path / "scan.log")
        wait_until(lambda: other_backend_waits(mode="ShareLock"), timeout=180,
                   what="a merge waiting inside its transaction", process=process)
        sigkill(process)
        transaction.set_rollback(True)
    sessions_gone(env)
    # Every pair is merged whole or not at all: a merged copy is soft-deleted, points at its survivor,
    # its pair is marked merged and its merge recorded; the pair being merged when killed is untouched.
    killed = DedupeScan.objects.get()
    assert killed.status == DedupeScan.Status.RUNNING
    merged = {c.merged_id: c.survivor_id for c in CustomerMerge.objects.all()}
    assert dict(Customer.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")) == merged
    assert set(Customer.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True)) == set(merged)
    assert MatchCandidate.objects.filter(status="merged").count() == len(merged)
    assert first.pk not in merged and second.pk not in merged
    assert not Customer.objects.filter(pk__in=[first.pk, second.pk], deleted_at__isnull=False).exists()
    assert sorted(first.tags.values_list("name", flat=True)) == ["甲3"]
    assert sorted(second.tags.values_list("name", flat=True)) == ["乙3"]
    # The rerun is not refused as "a scan is running": the killed one is recorded as interrupted.
    cli_run(*args, env=env, log=tmp_path / "rerun.log")
    killed.refresh_from_db()
    assert killed.status == DedupeScan.Status.FAILED and "interrupted" in killed.error
    state = _merge_state()
    # What one uninterrupted run gives: every pair merged once, the others untouched.
    assert len(state["live"]) == 8 + len(pairs) and state["merges"] == len(pairs)
    for i, (one, other) in enumerate(pairs):
        copies = Customer.objects.filter(pk__in=[one.pk, other.pk])
        survivor = copies.get(merged_into__isnull=True, deleted_at__isnull=True)
        assert copies.get(merged_into=survivor).deleted_at is not None
        assert sorted(survivor.tags.values_list("name", flat=True)) == sorted([f"甲{i}", f"乙{i}"])
    assert DedupeScan.objects.filter(status=DedupeScan.Status.DONE).count() == 1


# ---------------------------------------------------------------- the value run

AS_OF = "2026-01-31"


def _ledger(admin):
    from guanxi.segments.tests.factories import make_transactions

    people = [make_customer(admin, name=f"客户{i}", arpu=str(20 + 10 * i)) for i in range(12)]
    for i, customer in enumerate(people):
        make_transactions(customer, [("bill", dt.date(2025, 1 + month, 5), 50 + 10 * i) for month in range(i % 12)]
                          + [("order", dt.date(2025, 12, 1 + i), 30 * i + 1)])
    return people


def _snapshots() -> list[tuple]:
    from guanxi.segments.models import CustomerValueSnapshot

    fields = [f.attname for f in CustomerValueSnapshot._meta.concrete_fields if f.attname not in ("run_id",
                                                                                                 "computed_at")]
    return sorted(CustomerValueSnapshot.objects.values_list(*fields))


def test_a_value_run_killed_before_its_swap_leaves_the_old_snapshot_and_a_rerun_computes_the_same(env, admin,
                                                                                                  tmp_path):
    from guanxi.segments.models import CustomerValueSnapshot, Segment, ValueRun
    from guanxi.segments.services import value_recompute
    from guanxi.segments.tests.factories import make_transactions

    people = _ledger(admin)
    value_recompute(actor=SYSTEM, as_of=dt.date.fromisoformat(AS_OF))
    before, counts = _snapshots(), sorted(Segment.objects.values_list("pk", "member_count"))
    make_transactions(people[0], [("order", dt.date(2026, 1, 20), 5000)])
    table = CustomerValueSnapshot._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:  # a reader of the snapshot: the swap waits for it
            cursor.execute(f"SELECT count(*) FROM {table}")
        process = cli("segments", "recompute", "--as-of", AS_OF, env=env, log=tmp_path / "run.log")
        wait_until(lambda: other_backend_waits(table, "AccessExclusiveLock"), timeout=180, what="the run's swap",
                   process=process)
        assert table_exists(f"{table}__next") is False  # the new rows are in the run's own transaction
        sigkill(process)
    sessions_gone(env)
    assert _snapshots() == before and sorted(Segment.objects.values_list("pk", "member_count")) == counts
    assert not table_exists(f"{table}__next")
    killed = ValueRun.objects.latest("pk")
    assert killed.status == "running"
    cli_run("segments", "recompute", "--as-of", AS_OF, env=env, log=tmp_path / "rerun.log")
    rerun = _snapshots()
    killed.refresh_from_db()
    assert killed.status == "failed" and "interrupted" in killed.error
    assert rerun != before
    value_recompute(actor=SYSTEM, as_of=dt.date.fromisoformat(AS_OF))  # uninterrupted, on the same data
    assert _snapshots() == rerun


# ---------------------------------------------------------------- the star-schema refresh


def _warehouse(root) -> dict:
    from guanxi.analytics.warehouse.store import connect, manifest_read
    from guanxi.analytics.warehouse.tables import TABLES

    manifest = manifest_read(root)
    reader = connect(manifest, root)
    try:
        return {table.name: sorted(reader.execute(f"SELECT * FROM {table.name}").fetchall(), key=repr)
                for table in TABLES}
    finally:
        reader.close()


def test_a_refresh_killed_mid_way_leaves_the_last_warehouse_and_a_rerun_equals_a_full_build(env, admin,
                                                                                            tmp_path, settings):
    from pathlib import Path

    from guanxi.analytics.models import WarehouseRefresh
    from guanxi.analytics.services import warehouse_refresh
    from guanxi.analytics.warehouse.refresh import warehouse_write

    root = Path(settings.WAREHOUSE_DIR)
    people = [make_customer(admin, name=f"客户{i}", mobile=f"1360000{i:04d}") for i in range(5)]
    warehouse_refresh(actor=SYSTEM)
    manifest, before = (root / "manifest.json").read_bytes(), _warehouse(root)
    for i in range(5, 9):  # changes for the next refresh
        make_customer(admin, name=f"客户{i}", mobile=f"1360000{i:04d}")
    people[0].name = "改名"
    people[0].save()
    with transaction.atomic():
        with connection.cursor() as cursor:  # the products' dimension, read after the facts: waits
            cursor.execute("LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE")
        process = cli("warehouse_refresh", env=env, log=tmp_path / "refresh.log")
        wait_until(lambda: other_backend_waits("catalog_product", "AccessShareLock"), timeout=180,
                   what="the refresh half-way", process=process)
        written = [p for p in root.glob("*/*") if p.name.startswith("delta-") or "base-" in p.name]
        sigkill(process)
    sessions_gone(env)
    assert written, "files of the killed refresh were written before it was killed"
    assert (root / "manifest.json").read_bytes() == manifest and _warehouse(root) == before
    killed = WarehouseRefresh.objects.latest("pk")
    assert killed.status == WarehouseRefresh.Status.RUNNING
    cli_run("warehouse_refresh", "--json", env=env, log=tmp_path / "rerun.log")
    killed.refresh_from_db()
    assert killed.status == WarehouseRefresh.Status.FAILED and "interrupted" in killed.error
    assert not list(root.glob(".*.csv")) and not list(root.glob("*/*.tmp"))
    listed = json.loads((root / "manifest.json").read_text())
    files = {name for table in listed["tables"].values() for name in table["base"] + table.get("delta", [])}
    assert {str(p.relative_to(root)) for p in root.glob("*/*")} == files  # nothing unlisted left
    rerun = _warehouse(root)
    assert rerun != before
    full = tmp_path / "full"
    warehouse_write(full=True, refresh_id=10**6, progress=lambda *a: None, root=full)
    assert _warehouse(full) == rerun
