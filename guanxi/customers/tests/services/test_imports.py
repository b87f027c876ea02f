"""Import jobs through the services: mapping memory, preview, dry run, duplicates, commit, audit,
atomicity, progress, and the parallel validation of big files."""

import csv

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guanxi.customers.importing import engine as import_engine
from guanxi.customers.importing import writers as import_writers
from guanxi.customers.importing.files import ImportFileError
from guanxi.customers.models import Address, ContactPoint, Customer, ImportJob, ImportMapping, Tag
from guanxi.customers.selectors.imports import import_job_duplicates, import_job_progress
from guanxi.customers.services.imports import (
    import_job_commit,
    import_job_create,
    import_job_preview,
    import_job_request,
    import_job_set_mapping,
    import_job_validate,
    import_mapping_save,
    import_tables_tidy,
    mapping_for,
)
from guanxi.customers.tests.factories import make_customer

from ..importing.helpers import HEADER, IDS, person, write_csv

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


def upload(path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def start(user, path, **kwargs):
    return import_job_create(actor=user, upload=upload(path), **kwargs)


def test_a_job_remembers_the_file_its_encoding_header_and_guessed_mapping(tmp_path, admin):
    path = write_csv(tmp_path / "pos.csv", [person(1)], encoding="gbk")
    job = start(admin, path, source="POS 门店系统")
    assert (job.status, job.file_format, job.encoding, job.original_name) == ("uploaded", "csv", "gb18030", "pos.csv")
    assert job.headers == HEADER and job.mapping["手机号码"] == "mobile" and job.mapping["座机"] == "landline"
    assert job.file.name.startswith("imports/files/") and "pos" not in job.file.name  # a private, random name
    assert job.total_rows == 1


def test_mapping_is_remembered_per_source_and_prefills_the_next_file(tmp_path, admin):
    header = ["客户类别", "会员名", "联系手机", "会员备注"]
    path = write_csv(tmp_path / "a.csv", [["个人", "张三", "13800138000", "老客户"]], header=header)
    job = start(admin, path, source="POS 门店系统")
    assert "会员名" not in job.mapping  # not a known header name
    import_job_set_mapping(actor=admin, job=job, mapping={"客户类别": "kind", "会员名": "name", "联系手机": "mobile",
                                                          "会员备注": "notes"})
    remembered = ImportMapping.objects.get(source="POS 门店系统")
    assert remembered.mapping["会员名"] == "name" and remembered.history.first().history_user == admin
    again = start(admin, path, source="POS 门店系统")
    assert again.mapping == {"客户类别": "kind", "会员名": "name", "联系手机": "mobile", "会员备注": "notes"}
    # Another source does not get it; an explicit mapping wins over the remembered one.
    assert "会员名" not in start(admin, path, source="呼叫中心").mapping
    assert mapping_for(headers=header, source="POS 门店系统", mapping="会员备注=name,会员名=notes")["会员名"] == "notes"


def test_remembering_merges_columns_of_different_files(admin):
    import_mapping_save(actor=admin, source="EDI", mapping={"A": "name", "B": "mobile"})
    import_mapping_save(actor=admin, source="EDI", mapping={"C": "mobile", "D": "kind"})
    assert ImportMapping.objects.get(source="EDI").mapping == {"A": "name", "C": "mobile", "D": "kind"}


def test_preview_shows_the_first_rows_as_mapped_with_their_problems(tmp_path, admin):
    path = write_csv(tmp_path / "a.csv", [person(i) for i in range(12)] + [person(99, 手机号码="12")])
    job = start(admin, path)
    rows = import_job_preview(job=job, limit=10)
    assert [r["row"] for r in rows] == list(range(2, 12))
    assert rows[0]["values"]["name"] == "客户0" and rows[0]["errors"] == []
    job.mapping = {**job.mapping, "手机号码": "landline", "座机": ""}
    assert import_job_preview(job=job, limit=1)[0]["values"]["landline"] == "13800000000"
    assert Customer.objects.count() == 0


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, admin):
    path = write_csv(tmp_path / "a.csv", [person(i) for i in range(30)])
    job = import_job_validate(job=start(admin, path))
    assert (job.status, job.total_rows, job.error_count, job.created_count) == ("validated", 30, 0, 0)
    assert job.can_commit and job.report
    assert Customer.objects.count() == 0 and Address.objects.count() == 0
    assert not Customer.history.exists()


def test_commit_creates_customers_with_children_history_and_the_id_range(tmp_path, admin, brand):
    rows = [person(0, 姓名="張三", 身份证号=IDS[0], 品牌="全球通", 座机="020-87654321", 标签="VIP、宽带用户"),
            person(1, 类型="企业", 姓名="鑫达科技有限公司", 身份证号="", 出生日期="", 标签="VIP"),
            person(2, 省份="", 城市="", 区县="", 详细地址="")]
    job = import_job_commit(job=import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows))))
    assert job.status == "done" and job.created_count == 3
    customers = list(Customer.objects.order_by("id"))
    assert [c.pk for c in customers] == list(range(job.first_customer_id, job.last_customer_id + 1))
    zhang, org, third = customers
    assert (zhang.name, zhang.name_pinyin, zhang.name_initials, zhang.code) == (
        "张三", "zhangsan", "zs", f"C{zhang.pk:09d}")
    assert (zhang.mobile, zhang.email, zhang.id_type, zhang.brand, zhang.source) == (
        "+8613800000000", "c0@example.com", "resident_id", brand, "import")
    assert zhang.team == admin.team and zhang.owner is None
    assert sorted(zhang.tags.values_list("name", flat=True)) == ["VIP", "宽带用户"]
    assert Tag.objects.filter(name="宽带用户").get().history.get().history_user == admin
    address = zhang.addresses.get()
    assert (address.province, address.kind, address.is_default) == ("广东省", "home", True)
    assert org.addresses.get().kind == "office" and not third.addresses.exists()
    point = ContactPoint.objects.get(customer=zhang)
    assert (point.kind, point.value, point.normalized) == ("phone", "020-87654321", "+862087654321")
    # The audit trail of every record created, as if created by hand, with the import named.
    created = zhang.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+", admin, f"import #{job.pk}")
    assert address.history.get().history_user == admin and point.history.get().history_type == "+"
    assert sorted(t.tag.name for t in created.tags.all()) == ["VIP", "宽带用户"]
    # New customers are found by search keys and counted in the lists at once.
    from guanxi.customers.selectors.customers import CustomerFilter, customer_list

    assert list(customer_list(user=admin, filters=CustomerFilter(query="zs"))) == [zhang]
    # Ids continue after the import.
    assert make_customer(admin, name="后来").pk > job.last_customer_id


def test_rows_inside_the_file_that_repeat_a_mobile_or_id_are_errors_email_only_a_warning(tmp_path, admin):
    rows = [person(0, 身份证号=IDS[1]), person(1, 手机号码="138-0000-0000"), person(2, 身份证号=IDS[1].lower()),
            person(3, 电子邮箱="c0@example.com")]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.error_count == 2 and job.file_duplicate_count == 3 and not job.can_commit
    assert {(e["row"], e["field"]) for e in job.errors} == {(3, "mobile"), (4, "id_number")}
    assert next(e for e in job.errors if e["row"] == 3)["message"] == "same mobile as row 2"
    warning = next(d for d in job.duplicates if d["field"] == "email")
    assert (warning["row"], warning["first_row"], warning["blocking"]) == (5, 2, False)


def test_rows_matching_existing_customers_are_reported_but_not_blocking(tmp_path, admin, rep):
    theirs = make_customer(admin, name="老客户", mobile="13800000001")
    mine = make_customer(rep, name="我的", email="c2@example.com")
    from guanxi.customers.services import contact_point_add

    contact_point_add(actor=admin, customer=theirs, kind="mobile", value="138 0000 0003")
    rows = [person(i) for i in range(5)]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.error_count == 0 and job.can_commit and job.existing_match_count == 3
    found = {(d["row"], d["field"], d["customer_id"]) for d in job.duplicates}
    assert found == {(3, "mobile", theirs.pk), (4, "email", mine.pk), (5, "mobile", theirs.pk)}
    # A sales rep sees only which rows match, not customers outside their own.
    shown = import_job_duplicates(user=rep, job=job)
    assert {d["customer_id"] for d in shown} == {mine.pk, None}
    assert all(d["code"] == "" and "C0" not in d["message"] for d in shown if d.get("hidden"))


def test_existing_matches_are_the_same_when_prefiltered_by_hashes(tmp_path, admin, rep, monkeypatch):
    """A big file (here any file) on PostgreSQL asks the database only about values whose hash a live
    customer's key has: the same matches, far fewer values asked about."""
    from guanxi.customers.importing.matching import ExistingMatcher

    monkeypatch.setattr(ExistingMatcher, "PREFILTER_MIN_ROWS", 1)
    asked = []
    owners = ExistingMatcher._owners
    monkeypatch.setattr(ExistingMatcher, "_owners", lambda self, key, values: asked.extend(values) or
                        owners(self, key, values))
    theirs = make_customer(admin, name="老客户", mobile="13800000001")
    mine = make_customer(rep, name="我的", email="c2@example.com")
    from guanxi.customers.services import contact_point_add

    contact_point_add(actor=admin, customer=theirs, kind="mobile", value="138 0000 0003")
    analyze_import_tables()  # the prefilter reads the table's size (reltuples), which earlier tests can leave
    rows = [person(i) for i in range(5)]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.error_count == 0 and job.existing_match_count == 3
    found = {(d["row"], d["field"], d["customer_id"]) for d in job.duplicates}
    assert found == {(3, "mobile", theirs.pk), (4, "email", mine.pk), (5, "mobile", theirs.pk)}
    if connection.vendor == "postgresql":
        assert sorted(asked) == ["+8613800000001", "+8613800000003", "c2@example.com"]


def test_a_bad_row_near_the_end_of_ten_thousand_writes_nothing(tmp_path, admin):
    rows = [person(i) for i in range(10_000)]
    rows[9_998][2] = "138-bad"  # row 9,999 of 10,000 (file row 10,000)
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.error_count == 1 and job.errors[0]["row"] == 10_000 and not job.can_commit
    with pytest.raises(Exception):  # noqa: B017 - the request is refused whatever the error class
        import_job_request(actor=admin, job=job, action="commit")
    job = import_job_commit(job=job)  # even called directly: it validates again and stops
    assert job.status == "validated" and job.error_count == 1
    assert Customer.objects.count() == 0 and Address.objects.count() == 0 and not Customer.history.exists()


def test_a_database_error_at_row_9999_of_10000_while_writing_leaves_nothing(tmp_path, admin, monkeypatch):
    rows = [person(i, 标签="VIP") for i in range(10_000)]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.can_commit
    writer = import_writers._PostgresWriter if connection.vendor == "postgresql" else import_writers._SqliteWriter
    original_build, original_send, sent = writer.build, writer.send, []

    def build_with_a_bad_row(self, offsets, customers, *rest):
        # Row 9,999 breaks a database constraint (ARPU must not be negative) that validation
        # could not see: the database refuses it in the middle of the write.
        payload = original_build(self, offsets, customers, *rest)
        target = 9_998 - (offsets["customer"] - self.ids["customer"])
        if 0 <= target < len(customers):
            objs_or_columns = payload[0][1]
            if connection.vendor == "postgresql":
                columns, lines = payload[0][1], payload[0][2].decode().split("\n")
                values = lines[target].split("\t")
                values[columns.index("arpu")] = "-1.00"
                lines[target] = "\t".join(values)
                payload[0] = payload[0]._replace(data="\n".join(lines).encode())
            else:
                objs_or_columns[target].arpu = -1
        return payload

    def counting_send(self, payload):
        original_send(self, payload)
        sent.append(Customer.objects.count())

    monkeypatch.setattr(writer, "build", build_with_a_bad_row)
    monkeypatch.setattr(writer, "send", counting_send)
    job = import_job_commit(job=job)
    assert sent and sent[-1] >= 5_000  # earlier chunks were written inside the transaction
    assert job.status == "failed" and "Nothing was imported" in job.message
    assert "arpu" in job.message  # the database's own words, for the API and the log
    code = "23514" if connection.vendor == "postgresql" else "275"  # a CHECK refused it, not a key
    with translation.override("zh-hans"):
        said = job.message_text()
    assert said == (f"未导入任何数据：数据库未能写入这些行（错误代码 {code}），没有留下写了一半的数据。"
                    "请稍后重试；如果仍然失败，请联系管理员。")
    assert Customer.objects.count() == 0 and Address.objects.count() == 0 and Tag.objects.count() == 0
    assert not Customer.history.exists() and not Customer.tags.through.objects.exists()
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def _disk_full() -> Exception:
    """What the database driver raises when the disk is full, with the database's code."""
    if connection.vendor == "postgresql":
        import psycopg.errors

        return psycopg.errors.DiskFull("could not extend file: No space left on device")
    import sqlite3

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # SQLITE_FULL
    return full


def test_a_full_disk_while_importing_at_once_is_said_in_chinese_by_its_code_and_leaves_nothing(
        tmp_path, admin, monkeypatch):
    from django.db import OperationalError

    from guanxi.customers.services.imports import import_job_import

    writer = import_writers._PostgresWriter if connection.vendor == "postgresql" else import_writers._SqliteWriter
    original_send = writer.send

    def send_then_run_out_of_disk(self, payload):
        original_send(self, payload)
        raise OperationalError("No space left on device") from _disk_full()

    monkeypatch.setattr(writer, "send", send_then_run_out_of_disk)
    job = import_job_import(job=start(admin, write_csv(tmp_path / "a.csv", [person(i) for i in range(50)])))
    assert job.status == "failed" and "No space left on device" in job.message  # for the API and the log
    with translation.override("zh-hans"):
        said = job.message_text()
    code = "53100" if connection.vendor == "postgresql" else "13"
    assert said == (f"未导入任何数据：数据库未能写入这些行（错误代码 {code}），没有留下写了一半的数据。"
                    "请稍后重试；如果仍然失败，请联系管理员。")
    assert Customer.objects.count() == 0 and Address.objects.count() == 0 and not Customer.history.exists()


ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
WRITE_PATHS = ["row by row", pytest.param("as a replica", marks=ON_POSTGRESQL),
               pytest.param("keys dropped", marks=ON_POSTGRESQL)]


def take_write_path(settings, path: str) -> None:
    """Row by row (the keys checked by the database), or PostgreSQL's bulk path, checking the keys
    once: writing as a replica, or dropping the keys while it writes."""
    if path != "row by row":
        settings.IMPORT_BULK_MIN_ROWS = 10
        settings.IMPORT_SKIP_TRIGGERS = path == "as a replica"
        analyze_import_tables()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", WRITE_PATHS)
def test_a_foreign_key_broken_since_validation_fails_at_commit_and_writes_nothing(tmp_path, settings, path):
    # A real transaction: deferred foreign keys are checked when it commits; the bulk path (PostgreSQL)
    # checks the rows it wrote against the keys (written as a replica, or put back after dropping them).
    take_write_path(settings, path)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory
    from guanxi.customers.models import Brand

    boss = UserFactory(role=Role.ADMIN)
    doomed = Brand.objects.create(code="gone", name="将停用")
    rows = [person(i) for i in range(3000)]
    rows[2_998][6] = "将停用"
    job = import_job_validate(job=start(boss, write_csv(tmp_path / "a.csv", rows)))
    assert job.can_commit
    doomed.delete()  # nothing refers to it yet
    job = import_job_commit(job=job)
    assert job.status == "failed" and "Nothing was imported" in job.message
    key = ""
    if connection.vendor == "postgresql":  # SQLite's message names no constraint
        assert "customers_customer_brand_id" in job.message
        key = "（customers_customer_brand_id_1e4af62a_fk_customers_brand_id）"
    # The importer is told what to do, in Chinese throughout.
    with translation.override("zh-hans"):
        said = job.message_text()
    assert said == f"未导入任何数据：导入期间，文件引用的记录发生了变化{key}。请重新校验文件后再导入。"
    assert Customer.objects.count() == 0 and not Customer.history.exists() and Address.objects.count() == 0


@pytest.fixture(params=["as a replica", "keys dropped"])
def key_checks(request, settings):
    """The bulk path's two ways of checking foreign keys once: writing as a replica (no trigger fires;
    the connection may set `session_replication_role`), or dropping the keys while it writes."""
    settings.IMPORT_SKIP_TRIGGERS = request.param == "as a replica"
    return request.param


@pytest.fixture
def bulk_importer(tmp_path, settings, key_checks):
    """An administrator whose imports of a few thousand rows take PostgreSQL's bulk path."""
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    settings.IMPORT_BULK_MIN_ROWS = 10
    analyze_import_tables()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    return UserFactory(role=Role.ADMIN)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", WRITE_PATHS)
def test_every_history_row_holds_the_values_of_the_row_it_records(tmp_path, settings, admin, path):
    take_write_path(settings, path)
    rows = [person(i, 标签="VIP、宽带用户" if i % 2 else "", 座机=f"010-8765{i:04d}" if i % 3 else "")
            for i in range(40)]
    job = import_job_commit(job=import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows))))
    assert job.status == "done" and bool(job._written.rebuilt_tables) == (path != "row by row")
    for model, count in ((Customer, 40), (Address, 40), (ContactPoint, 26)):
        fields = [f.attname for f in model._meta.concrete_fields]
        written = {row["id"]: row for row in model.objects.values(*fields)}
        recorded = {row["id"]: row for row in model.history.values(*fields)}
        assert len(written) == count and recorded == written
    for customer in Customer.objects.prefetch_related("tags"):
        created = customer.history.get()
        assert {t.tag_id for t in created.tags.all()} == {t.pk for t in customer.tags.all()}
    assert Customer.tags.through.objects.count() == 40


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
@pytest.mark.parametrize("target", ["an existing customer", "no customer"])
def test_a_row_naming_a_customer_outside_the_import_is_still_checked_at_commit(tmp_path, bulk_importer, monkeypatch,
                                                                               target):
    # The bulk path takes a key into the block of customers it wrote itself as known to exist; a key
    # outside that block (which only a fault could write) is looked up.
    existing = make_customer(bulk_importer, name="老客户")
    named = existing.pk if target == "an existing customer" else existing.pk + 10**9
    original = import_writers._PostgresWriter.build

    def build(self, offsets, customers, addresses, points, tags):
        if addresses and offsets["customer"] == self.ids["customer"]:  # the first round's first address
            addresses = [(named - offsets["customer"], addresses[0][1]), *addresses[1:]]
        return original(self, offsets, customers, addresses, points, tags)

    monkeypatch.setattr(import_writers._PostgresWriter, "build", build)
    job = import_job_validate(job=start(bulk_importer, write_csv(tmp_path / "a.csv", [person(i) for i in range(3000)])))
    job = import_job_commit(job=job)
    if target == "no customer":
        assert job.status == "failed" and "customers_address_customer_id" in job.message
        assert Customer.objects.count() == 1 and Address.objects.count() == 0
    else:
        assert job.status == "done" and Address.objects.count() == 3000
        assert Address.objects.filter(customer=existing).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_a_customer_number_taken_already_fails_the_bulk_import_and_writes_nothing(tmp_path, bulk_importer):
    # The bulk path drops the numbers' unique constraint while it writes; putting it back checks every row.
    taken = make_customer(bulk_importer, name="老客户")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('customers_customer', 'id'))")
        following = cursor.fetchone()[0] + 1  # the id, and so the number, of the import's first customer
    Customer.objects.filter(pk=taken.pk).update(code=f"C{following:09d}")
    job = import_job_validate(job=start(bulk_importer, write_csv(tmp_path / "a.csv", [person(i) for i in range(200)])))
    job = import_job_commit(job=job)
    assert job.status == "failed" and "customer_code_unique" in job.message
    assert list(Customer.objects.values_list("pk", flat=True)) == [taken.pk] and not Customer.history.exclude(
        id=taken.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_the_user_stamped_on_history_rows_is_checked_at_commit(tmp_path, bulk_importer, monkeypatch):
    # The history tables take their user from a stamp default: it is checked once, not row by row.
    original = import_writers._PostgresWriter._stamp_defaults

    def stamp_defaults(self, name):
        stamps = original(self, name)
        return stamps | {"history_user_id": bulk_importer.pk + 10**6} if "history_user_id" in stamps else stamps

    monkeypatch.setattr(import_writers._PostgresWriter, "_stamp_defaults", stamp_defaults)
    job = import_job_validate(job=start(bulk_importer, write_csv(tmp_path / "a.csv", [person(i) for i in range(3000)])))
    job = import_job_commit(job=job)
    assert job.status == "failed" and "_history_user_id_" in job.message
    assert Customer.objects.count() == 0 and not Customer.history.exists()


def readable_from_another_session(tables: list[str]) -> dict[str, bool]:
    """Whether another database session can read each table now (within a second)."""
    import psycopg

    settings_dict = connection.settings_dict
    readable = {}
    with psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"],
                         port=settings_dict["PORT"] or 5432, password=settings_dict["PASSWORD"] or None,
                         autocommit=True) as other:
        other.execute("SET lock_timeout = '1s'")
        for table in tables:
            try:
                other.execute(f'SELECT count(*) FROM "{table}"')  # nosec B608  # test tables
                readable[table] = True
            except psycopg.errors.LockNotAvailable:
                readable[table] = False
    return readable


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_a_bulk_import_leaves_users_teams_brands_and_tags_readable_while_it_writes(tmp_path, bulk_importer,
                                                                                  key_checks, monkeypatch):
    # Dropping a foreign key locks the table it refers to against reading until the commit: signing in
    # would wait for the import. Written as a replica, no key is dropped.
    shared = ["accounts_user", "accounts_team", "customers_brand", "customers_tag"]
    seen = []
    original = import_writers._PostgresWriter.send

    def send(self, payload):
        original(self, payload)
        if not seen:
            seen.append(readable_from_another_session(shared))

    monkeypatch.setattr(import_writers._PostgresWriter, "send", send)
    rows = [person(i, 标签="VIP") for i in range(300)]
    job = import_job_commit(job=import_job_validate(job=start(bulk_importer, write_csv(tmp_path / "a.csv", rows))))
    assert job.status == "done" and "customers_customer" in job._written.rebuilt_tables
    assert seen == [dict.fromkeys(shared, key_checks == "as a replica")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_a_database_role_that_may_not_write_as_a_replica_drops_the_keys_instead(db):
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE guanxi_test_no_replica")  # undone with the test's transaction
        writer = import_writers._PostgresWriter(validation=None, actor_id=None, reason="", tag_ids={})
        assert writer._may_skip_triggers()
        cursor.execute("SET LOCAL ROLE guanxi_test_no_replica")
        assert not writer._may_skip_triggers()
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("origin",)  # and the transaction goes on
        cursor.execute("RESET ROLE")


def test_progress_really_advances_while_validating_and_writing(tmp_path, admin, monkeypatch):
    monkeypatch.setattr("guanxi.customers.services.imports.PROGRESS_EVERY", 0)
    rows = [person(i) for i in range(12_000)]
    job = start(admin, write_csv(tmp_path / "a.csv", rows))
    seen = {"validating": [], "importing": []}

    def watch(done, total):
        current = ImportJob.objects.get(pk=job.pk)
        seen[current.status].append((import_job_progress(job=current)["processed"], current.processed_rows, total))

    job = import_job_validate(job=job, on_progress=watch)
    job = import_job_commit(job=job, on_progress=watch)
    assert job.status == "done"
    validating = [p for p, _, _ in seen["validating"]]
    assert len(validating) >= 3 and validating == sorted(validating) and 0 < validating[0] < 12_000
    # The job row itself advances while validating (outside any transaction).
    assert [row for _, row, _ in seen["validating"]] == validating
    writing = [p for p, _, _ in seen["importing"]]
    assert len(writing) >= 2 and writing == sorted(writing) and 0 < writing[0] < 12_000 and writing[-1] == 12_000
    assert import_job_progress(job=job) == {"status": "done", "processed": 12_000, "total": 12_000, "percent": 100,
                                            "is_running": False}


def test_file_errors_fail_the_job_with_the_reason(tmp_path, admin):
    header_only = write_csv(tmp_path / "h.csv", [])
    job = import_job_validate(job=start(admin, header_only))
    assert job.status == "failed" and "no data rows" in job.message
    with pytest.raises(ImportFileError):
        start(admin, write_csv(tmp_path / "m.csv", [["个人"]], header=["类型"]), mapping="类型=kind")


def test_upload_over_the_limit_is_refused_before_it_is_stored(tmp_path, admin, settings):
    settings.IMPORT_MAX_BYTES = 500
    with pytest.raises(ImportFileError) as exc:
        start(admin, write_csv(tmp_path / "a.csv", [person(i) for i in range(20)]))
    assert exc.value.code == "file_too_large" and ImportJob.objects.count() == 0
    assert not (tmp_path / "media" / "imports").exists()


def test_roles_without_write_right_cannot_import(tmp_path, analyst):
    from guanxi.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        start(analyst, write_csv(tmp_path / "a.csv", [person(1)]))
    assert ImportJob.objects.count() == 0


def test_an_own_scoped_importer_owns_what_it_imports(tmp_path, rep, admin):
    rows = [person(0), person(1, 姓名="别人的")]
    job = import_job_commit(job=import_job_validate(job=start(rep, write_csv(tmp_path / "a.csv", rows))))
    assert job.status == "done"
    assert set(Customer.objects.values_list("owner", "team")) == {(rep.pk, rep.team_id)}


def test_report_lists_every_error_and_warning(tmp_path, admin, settings):
    make_customer(admin, name="老客户", mobile="13800000001")
    rows = [person(i) for i in range(4)]
    rows[2][2] = "12"
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows), language="en"))
    with job.report.open("rb") as report:
        lines = list(csv.reader(report.read().decode("utf-8-sig").splitlines()))
    assert lines[0] == ["row", "field", "reason", "level"]
    assert ["4", "mobile", "not a valid phone number", "error"] in lines
    code = Customer.objects.get().code
    assert ["3", "mobile", f"matches existing customer {code} by mobile", "warning"] in lines


def test_report_in_chinese_for_a_chinese_user(tmp_path, admin):
    rows = [person(0, 手机号码="12")]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows), language="zh-hans"))
    from django.utils import translation

    with translation.override("zh-hans"):
        job = import_job_validate(job=job)
    text = job.report.open("rb").read().decode("utf-8-sig")
    assert "不是有效的电话号码" in text and "手机" in text.splitlines()[1]


def test_big_csv_files_are_validated_by_worker_processes_with_the_same_result(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(import_engine, "PARALLEL_MIN_ROWS", 100)
    rows = [person(i) for i in range(3_000)]
    rows[1_500][2] = "12"
    rows[2_900][2] = rows[10][2]
    path = write_csv(tmp_path / "a.csv", rows)

    def run(workers):
        job = start(admin, path)
        monkeypatch.setattr("guanxi.customers.importing.files.csv_blocks.__kwdefaults__", {"block_bytes": 8 * 1024})
        return import_job_validate(job=job, workers=workers)

    sequential, parallel = run(0), run(2)
    assert parallel.error_count == sequential.error_count == 2
    assert parallel.errors == sequential.errors
    assert [e["row"] for e in parallel.errors] == [1_502, 2_902]
    rows[1_500][2], rows[2_900][2] = "13899990000", "13899990001"
    write_csv(path, rows)
    job = run(2)
    assert job.can_commit and job._validation.workers == 2
    job = import_job_commit(job=job)
    assert job.created_count == 3_000 and Customer.objects.count() == 3_000
    assert Customer.objects.filter(name="客户2900", mobile="+8613899990001").exists()
    assert not (tmp_path / "work" / str(job.pk)).exists()  # the spool is gone once written


def test_validation_reads_the_database_a_bounded_number_of_times(tmp_path, admin):
    rows = [person(i) for i in range(20_000)]
    job = start(admin, write_csv(tmp_path / "a.csv", rows))
    with CaptureQueriesContext(connection) as queries:
        import_job_validate(job=job)
    # Lookups, duplicate checks per chunk of 5,000 rows, progress and the job: not per row.
    assert len(queries) < 120


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index rebuild is PostgreSQL's bulk path")
def test_big_imports_rebuild_indexes_and_foreign_keys_inside_the_transaction(tmp_path, admin, settings, key_checks):
    settings.IMPORT_BULK_MIN_ROWS = 10
    analyze_import_tables()

    def schema():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'customers_%%' "
                           "ORDER BY indexname")
            indexes = cursor.fetchall()
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid::regclass::text LIKE 'customers_%%' ORDER BY conname")
            constraints = cursor.fetchall()
            # Column defaults: the bulk path sets the rows' stamps as defaults while it writes.
            cursor.execute("SELECT d.adrelid::regclass::text, a.attname, pg_get_expr(d.adbin, d.adrelid) "
                           "FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                           "WHERE d.adrelid::regclass::text LIKE 'customers_%%' ORDER BY 1, 2")
            return indexes, constraints, cursor.fetchall()

    before = schema()
    rows = [person(i, 标签="VIP", 座机=f"010-8765{i:04d}") for i in range(200)]
    job = import_job_commit(job=import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows))))
    assert job.status == "done" and "customers_customer" in job._written.rebuilt_tables
    indexes, constraints, defaults = schema()
    # Dropped, the foreign keys came back NOT VALID (the rows written were checked against them); the
    # task queued after the commit marks them valid. Written as a replica, they never went.
    not_valid = {name for name, definition in constraints if definition.endswith(" NOT VALID")}
    brand_key = "customers_customer_brand_id_1e4af62a_fk_customers_brand_id"
    assert (brand_key in not_valid) == (key_checks == "keys dropped")
    assert (indexes, [(n, d.removesuffix(" NOT VALID")) for n, d in constraints], defaults) == before
    validated = import_tables_tidy([])
    assert schema() == before and (brand_key in validated) == (key_checks == "keys dropped")
    customer = Customer.objects.filter(mobile="+8613800000199").get()
    assert customer.contact_points.get().normalized == "+861087650199"
    # Every row and history row has its stamps, whether written in each line or by the tables' defaults.
    stamp = (customer.created_at, "+", admin.pk, f"import #{job.pk}")
    for record in (customer, customer.addresses.get(), customer.contact_points.get()):
        assert record.created_at == record.updated_at == customer.created_at
        created = record.history.get()
        assert (created.history_date, created.history_type, created.history_user_id,
                created.history_change_reason) == stamp
        assert created.created_at == created.updated_at == customer.created_at


def test_the_report_of_an_own_scoped_importer_does_not_name_customers_it_may_not_see(tmp_path, admin, rep):
    theirs = make_customer(admin, name="老客户", mobile="13800000001")
    job = import_job_validate(job=start(rep, write_csv(tmp_path / "a.csv", [person(1)]), language="en"))
    text = job.report.open("rb").read().decode("utf-8-sig")
    assert "matches an existing customer by mobile" in text and theirs.code not in text
    assert import_job_duplicates(user=admin, job=job)[0]["code"] == theirs.code  # an administrator sees it
    assert import_job_duplicates(user=rep, job=job)[0]["code"] == ""


def test_spools_of_jobs_left_uncommitted_are_cleaned_up_and_a_late_commit_validates_again(tmp_path, admin):
    import os
    import time

    from guanxi.customers.services.imports import import_spools_cleanup

    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", [person(i) for i in range(3)])))
    folder = tmp_path / "work" / str(job.pk)
    assert (folder / "spool").is_dir()
    # The file system stamps the real time; the test's clock may be moved (GUANXI_TEST_NOW): touch it now.
    os.utime(folder, (time.time(), time.time()))
    assert import_spools_cleanup() == 0
    os.utime(folder, (0, 0))
    assert import_spools_cleanup() == 1 and not folder.exists()
    job = import_job_commit(job=ImportJob.objects.get(pk=job.pk))
    assert job.status == "done" and Customer.objects.count() == 3


def test_an_unexpected_error_in_the_task_fails_the_job_instead_of_leaving_it_running(tmp_path, admin, monkeypatch):
    from guanxi.customers.services.imports import import_job_run

    job = start(admin, write_csv(tmp_path / "a.csv", [person(1)]))
    ImportJob.objects.filter(pk=job.pk).update(status="validating")

    def broken(**kwargs):
        raise KeyError("bug")

    monkeypatch.setattr("guanxi.customers.services.imports.import_job_validate", broken)
    job = import_job_run(job_id=job.pk, action="validate")
    assert ImportJob.objects.get(pk=job.pk).status == "failed" and "nothing was imported" in job.message
    assert Customer.objects.count() == 0


def test_rows_are_written_in_rounds_with_children_following_their_customer(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(import_writers._Writer, "WRITE_ROWS", 7)
    no_address = {"省份": "", "城市": "", "区县": "", "详细地址": ""}
    rows = [person(i, 标签="VIP" if i % 3 else "", 座机="010-87650000" if i % 4 == 0 else "",
                   **(no_address if i % 5 == 0 else {})) for i in range(40)]
    job = import_job_commit(job=import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows))))
    assert job.created_count == 40
    for i in range(40):
        customer = Customer.objects.get(name=f"客户{i}")
        assert customer.tags.exists() == bool(i % 3)
        assert customer.contact_points.exists() == (i % 4 == 0)
        assert customer.addresses.exists() == bool(i % 5)
        if i % 5:
            assert customer.addresses.get().street == f"体育西路{i}号"


def test_text_with_tabs_newlines_and_backslashes_arrives_unchanged(tmp_path, admin):
    notes = "第一行\n第二行\t制表符 \\ 反斜杠 \\N 不是空值"
    path = write_csv(tmp_path / "a.csv", [["个人", "张三", notes, "北京", "朝阳区", "建国路\\1号"]],
                     header=["类型", "姓名", "备注", "省份", "区县", "详细地址"])
    job = import_job_commit(job=import_job_validate(job=start(admin, path)))
    assert job.status == "done"
    customer = Customer.objects.get()
    assert customer.notes == notes and customer.birth_date is None and customer.brand is None
    assert customer.addresses.get().street == "建国路\\1号"
    assert customer.history.get().notes == notes


def test_a_file_without_a_kind_column_imports_individuals(tmp_path, admin):
    path = write_csv(tmp_path / "a.csv", [["张三", "13800138000"], ["李四", "13900139000"]], header=["姓名", "手机"])
    job = import_job_commit(job=import_job_validate(job=start(admin, path)))
    assert (job.status, job.error_count, job.created_count) == ("done", 0, 2)
    assert set(Customer.objects.values_list("kind", flat=True)) == {"individual"}


def test_a_ten_digit_mobile_is_an_error_and_a_landline_column_still_takes_landlines(tmp_path, admin):
    rows = [person(1, 手机号码="1390000222"), person(2, 座机="010-6552 9988")]
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", rows)))
    assert job.error_count == 1
    assert [r["row"] for r in import_job_preview(job=job, limit=5) if r["errors"]] == [2]
def test_imported_customers_are_found_by_any_word_of_their_name(tmp_path, admin):
    from guanxi.customers.selectors.customers import CustomerFilter, customer_list

    rows = [person(1, 姓名="Ada Lovelace"), person(2, 类型="企业", 姓名="深圳华星科技有限公司"),
            person(3, 姓名="张三丰")]
    import_job_commit(job=import_job_validate(job=start(admin, write_csv(tmp_path / "w.csv", rows))))
    for query, name in (("lovelace", "Ada Lovelace"), ("huaxing", "深圳华星科技有限公司"), ("三丰", "张三丰")):
        found = customer_list(user=admin, filters=CustomerFilter(query=query)).values_list("name", flat=True)
        assert list(found) == [name]


# ---------------------------------------------------------------- a process that died mid-job


@pytest.fixture
def runner_locks(settings, tmp_path, monkeypatch):
    """Real runner locks on SQLite too (the suite's in-memory database has no other process to keep
    out): lock files, as a file database gets."""
    from django.db import connection as db

    from guanxi.core import locks

    settings.VAR_DIR = tmp_path
    if db.vendor == "sqlite":
        monkeypatch.setattr(locks, "_mechanism", lambda: locks._file_lock)


def held_in_another_session(job_id: int):
    """The job's runner lock held by another thread (another database session) until `release` is set."""
    import threading

    from django.db import connection as db

    from guanxi.core.locks import runner_lock

    taken, release = threading.Event(), threading.Event()

    def hold():
        try:
            with runner_lock(f"customers.import:{job_id}") as held:
                assert held
                taken.set()
                release.wait(30)
        finally:
            db.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(30)
    return thread, release


def test_a_job_left_running_by_a_killed_command_line_fails_with_the_reason_and_can_be_imported_again(
        tmp_path, admin, runner_locks):
    from django.utils import translation

    from guanxi.customers.services.imports import import_jobs_fail_interrupted

    job = start(admin, write_csv(tmp_path / "a.csv", [person(i) for i in range(3)]))
    # What a command line killed in its commit leaves: the job importing, its runner lock free.
    ImportJob.objects.filter(pk=job.pk).update(status=Status.IMPORTING, runner=ImportJob.Runner.PROCESS)
    assert import_jobs_fail_interrupted() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.finished_at and Customer.objects.count() == 0
    with translation.override("zh-hans"):
        assert job.message_text() == "导入被中断：执行导入的进程已结束。未导入任何数据；请重新运行导入。"
    assert job.can_validate and import_jobs_fail_interrupted() == 0
    job = import_job_commit(job=import_job_validate(job=job))
    assert job.status == Status.DONE and Customer.objects.count() == 3


def test_a_job_whose_process_is_alive_or_that_a_task_runs_is_not_taken_for_interrupted(tmp_path, admin, runner_locks):
    from guanxi.customers.services.imports import import_job_run, import_jobs_fail_interrupted

    alive = start(admin, write_csv(tmp_path / "a.csv", [person(1)]))
    queued = start(admin, write_csv(tmp_path / "b.csv", [person(2)]))
    ImportJob.objects.filter(pk=alive.pk).update(status=Status.VALIDATING, runner=ImportJob.Runner.PROCESS)
    # A Celery task's job is delivered again if its worker dies: left to that.
    ImportJob.objects.filter(pk=queued.pk).update(status=Status.IMPORTING, runner=ImportJob.Runner.TASK)
    thread, release = held_in_another_session(alive.pk)
    try:
        assert import_jobs_fail_interrupted() == 0
        # A task delivered again while the first delivery still runs the job leaves it to that one.
        assert import_job_run(job_id=alive.pk, action="validate").status == Status.VALIDATING
    finally:
        release.set()
        thread.join()
    assert ImportJob.objects.get(pk=alive.pk).status == Status.VALIDATING
    assert ImportJob.objects.get(pk=queued.pk).status == Status.IMPORTING
    assert import_jobs_fail_interrupted() == 1
    assert ImportJob.objects.get(pk=alive.pk).status == Status.FAILED


def test_the_steps_record_who_runs_them(tmp_path, admin, django_capture_on_commit_callbacks):
    job = import_job_validate(job=start(admin, write_csv(tmp_path / "a.csv", [person(1)])))
    assert ImportJob.objects.get(pk=job.pk).runner == ImportJob.Runner.PROCESS
    with django_capture_on_commit_callbacks(execute=True):
        import_job_request(actor=admin, job=job, action="commit")
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.status, job.runner) == (Status.DONE, ImportJob.Runner.TASK)


def analyze_import_tables() -> None:
    """Statistics of the tables as they are now: the bulk path compares an import with the rows the
    table holds by its statistics, which an earlier test's rows may have left behind."""
    with connection.cursor() as cursor:
        for table in import_writers._tables().values():
            cursor.execute(f'ANALYZE "{table}"')


def not_valid_foreign_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index rebuild is PostgreSQL's bulk path")
@pytest.mark.django_db(transaction=True)
def test_a_big_import_merges_into_the_word_index_which_a_task_then_rebuilds(tmp_path, admin, settings):
    from guanxi.customers import tasks
    from guanxi.customers.selectors.customers import CustomerFilter, customer_results

    settings.IMPORT_BULK_MIN_ROWS = 10
    settings.IMPORT_SKIP_TRIGGERS = False  # the keys dropped, so that the task has some to validate
    analyze_import_tables()
    index = "customer_name_terms_words"

    def found(query):
        return sorted(c.name for c in customer_results(user=admin, filters=CustomerFilter(query=query)).rows)

    def index_oid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::regclass::oid", [index])
            return cursor.fetchone()[0]

    rows = [person(i) for i in range(200)] + [person(200, 姓名="欧阳娜娜"), person(201, 姓名="深圳华星科技有限公司",
                                                                      类型="企业")]
    path = write_csv(tmp_path / "a.csv", rows)
    before = index_oid()
    job = import_job_commit(job=import_job_validate(job=start(admin, path)), tidy=False)
    written = job._written
    assert index in written.kept_indexes and index_oid() == before  # merged into, not dropped and built again
    assert found("娜娜") == found("nana") == ["欧阳娜娜"] and found("华星") == ["深圳华星科技有限公司"]

    # A rebuild killed before has left its invalid copy behind: the next one drops it first.
    with connection.cursor() as cursor, pytest.raises(Exception, match="could not create unique index"):
        cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {index}_ccnew ON customers_customer (kind)")
    unvalidated = not_valid_foreign_keys()
    assert "customers_address_customer_id_f042422e_fk_customers_customer_id" in unvalidated
    rebuilt = tasks.tidy_import_tables.delay([index, "customers_customer_pkey", "auth_user_pkey", "no such"]).get()
    assert set(rebuilt) == {index} | unvalidated  # only the import tables' GIN indexes, and their keys
    assert not_valid_foreign_keys() == set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                       "WHERE c.relname LIKE %s", [index + "\\_ccnew%"])
        assert cursor.fetchall() == []
        cursor.execute("SELECT c.relname, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                       "WHERE c.relname = %s", [index])
        assert cursor.fetchall() == [(index, True)]
    assert index_oid() != before and found("娜娜") == ["欧阳娜娜"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index rebuild is PostgreSQL's bulk path")
@pytest.mark.django_db(transaction=True)
def test_the_commit_of_a_big_import_queues_the_tidying_of_the_indexes_it_merged_into(tmp_path, admin, settings,
                                                                                    monkeypatch):
    from guanxi.customers import tasks

    settings.IMPORT_BULK_MIN_ROWS = 10
    analyze_import_tables()
    queued = []
    monkeypatch.setattr(tasks.tidy_import_tables, "delay", queued.append)
    big = write_csv(tmp_path / "a.csv", [person(i) for i in range(50)])
    import_job_commit(job=import_job_validate(job=start(admin, big)))
    assert [set(names) for names in queued] == [{"customer_org_name_trgm", "customer_name_terms_words",
                                                 "customer_name_terms_words_sample"}]
    small = write_csv(tmp_path / "b.csv", [person(i) for i in range(60, 62)])
    import_job_commit(job=import_job_validate(job=start(admin, small)))
    assert len(queued) == 1  # a small import writes through the indexes: nothing to rebuild
    import_tables_tidy([])  # what the task would have done first: no key is left NOT VALID for the next test
    assert not_valid_foreign_keys() == set()


# ---------------------------------------------------------------- validating and writing at once


def snapshot():
    """What an import wrote, with its audit, in a comparable form."""
    return {
        "customers": sorted(Customer.objects.values_list("name", "mobile", "id_number", "email", "brand__code")),
        "history": sorted(Customer.history.values_list("name", "history_type", "history_user__username")),
        "addresses": sorted(Address.objects.values_list("customer__name", "province", "city", "street")),
        "points": sorted(ContactPoint.objects.values_list("customer__name", "normalized")),
        "tags": sorted(Customer.tags.through.objects.values_list("customer__name", "tag__name")),
    }


@pytest.mark.parametrize("workers", [0, 2], ids=["in this process", "worker processes"])
def test_writing_while_validating_writes_what_validating_then_committing_writes(tmp_path, admin, monkeypatch,
                                                                                 workers):
    from guanxi.customers.services.imports import import_job_import

    monkeypatch.setattr(import_engine, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr("guanxi.customers.importing.files.csv_blocks.__kwdefaults__", {"block_bytes": 8 * 1024})
    monkeypatch.setattr(import_writers._Writer, "WRITE_ROWS", 150)
    existing = make_customer(admin, name="老客户", mobile="13800000007")
    rows = [person(i, 标签="VIP" if i % 3 else "新客、VIP", 座机="010-87650000" if i % 4 == 0 else "")
            for i in range(1_200)]
    path = write_csv(tmp_path / "a.csv", rows)
    job = import_job_commit(job=import_job_validate(job=start(admin, path), workers=workers))
    expected, first = snapshot(), job
    Customer.tags.through.objects.all().delete()
    for model in (ContactPoint, Address):
        model.objects.all().delete()
    Customer.objects.exclude(pk=existing.pk).delete()
    Customer.history.exclude(id=existing.pk).delete()
    Tag.objects.filter(name="新客").delete()

    job = import_job_import(job=start(admin, path), workers=workers)
    assert (job.status, job.error_count, job.created_count) == ("done", 0, 1_200)
    assert job.existing_match_count == first.existing_match_count == 1  # the old customer, not its own rows
    assert job.last_customer_id - job.first_customer_id + 1 == 1_200  # one block of ids
    assert set(Customer.objects.exclude(pk=existing.pk).values_list("pk", flat=True)) == set(
        range(job.first_customer_id, job.last_customer_id + 1))
    assert snapshot() == expected
    assert set(Customer.history.exclude(id=existing.pk).values_list("history_change_reason", flat=True)) == {
        f"import #{job.pk}"}
    assert existing.code in job.report.open("rb").read().decode("utf-8-sig")  # the match, in the report
    assert not (tmp_path / "work" / str(job.pk)).exists()


@pytest.mark.parametrize("workers", [0, 2], ids=["in this process", "worker processes"])
@pytest.mark.parametrize("late", ["a bad row", "a repeated mobile"])
def test_a_row_found_bad_after_chunks_were_written_leaves_nothing_and_the_report(tmp_path, admin, monkeypatch,
                                                                               workers, late):
    from guanxi.customers.services.imports import import_job_import

    monkeypatch.setattr(import_engine, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr("guanxi.customers.importing.files.csv_blocks.__kwdefaults__", {"block_bytes": 8 * 1024})
    written = []
    original = import_writers.ChunkStream.write
    monkeypatch.setattr(import_writers.ChunkStream, "write",
                        lambda self, chunk: (original(self, chunk), written.append(Customer.objects.count())))
    finished = []  # what is written is rolled back: its indexes and keys are not worth finishing
    monkeypatch.setattr(import_writers.ChunkStream, "finish", lambda self: finished.append(self))
    rows = [person(i, 标签="新标签") for i in range(12_000)]
    rows[11_000][2] = "12" if late == "a bad row" else rows[5][2]
    job = import_job_import(job=start(admin, write_csv(tmp_path / "a.csv", rows), language="en"), workers=workers)
    assert written and written[-1] >= 5_000  # customers were in before the bad row was read
    assert (job.status, job.error_count) == ("validated", 1) and not job.can_commit
    assert job.errors[0]["row"] == 11_002 and job.existing_match_count == 0  # its own rows are no existing ones
    assert Customer.objects.count() == 0 and not Customer.history.exists() and Address.objects.count() == 0
    assert not Tag.objects.filter(name="新标签").exists()
    assert "11002" in job.report.open("rb").read().decode("utf-8-sig") and not finished


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index rebuild is PostgreSQL's bulk path")
@pytest.mark.django_db(transaction=True)
def test_writing_while_validating_takes_the_bulk_path_on_the_size_it_expects(tmp_path, admin, settings, key_checks):
    from guanxi.customers.services.imports import import_job_import

    settings.IMPORT_BULK_MIN_ROWS = 10
    analyze_import_tables()
    rows = [person(i, 标签="VIP", 座机=f"010-8765{i:04d}") for i in range(300)]
    job = import_job_import(job=start(admin, write_csv(tmp_path / "a.csv", rows)), tidy=False)
    assert job.status == "done" and job.created_count == 300, job.message
    assert {"customers_customer", "customers_address", "customers_contactpoint"} <= set(job._written.rebuilt_tables)
    address_key = "customers_address_customer_id_f042422e_fk_customers_customer_id"
    assert (address_key in not_valid_foreign_keys()) == (key_checks == "keys dropped")
    import_tables_tidy(job._written.kept_indexes)
    assert not_valid_foreign_keys() == set()
    assert Customer.objects.filter(tags__name="VIP").count() == 300 and ContactPoint.objects.count() == 300
