"""`guanxi backup` / `guanxi restore` round trip on the database the suite runs on (SQLite and
PostgreSQL): after a restore every table holds exactly the rows it held at the backup and every
uploaded file its bytes; a refused restore changes nothing."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.backup import BackupError, backup_create, backup_restore
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)


def database_digest() -> dict[str, tuple[int, str]]:
    """Every table: its row count and a hash of its rows (in a fixed order)."""
    digest = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digest


def files_digest(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "var" / "media"
    (root / "attachments" / "2026").mkdir(parents=True)
    (root / "attachments" / "2026" / "发票扫描.pdf").write_bytes(b"%PDF-1.4 scan \x00\xff")
    (root / "imports").mkdir()
    (root / "imports" / "customers.csv").write_text("姓名,手机\n张三,13812345678\n", encoding="utf-8")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def business():
    agent = UserFactory(role=Role.AGENT)
    customers = [make_customer(SYSTEM, name=f"客户{i}", mobile=f"1380000{i:04d}") for i in range(5)]
    ticket_create(actor=SYSTEM, customer=customers[0],
                  data={"subject": "宽带断线", "description": "每晚断线", "type": "fault", "channel": "hotline"})
    return agent, customers


def test_round_trip_restores_every_table_and_file(business, media, tmp_path):
    before, files_before = database_digest(), files_digest(media)
    report = backup_create(tmp_path / "guanxi.tar")
    assert report.tables["customers_customer"] == 5 and len(report.files) == 2

    Customer.objects.filter(name="客户1").delete()
    make_customer(SYSTEM, name="备份后新客户")
    (media / "imports" / "customers.csv").write_text("changed", encoding="utf-8")
    (media / "later.txt").write_text("after the backup", encoding="utf-8")
    assert database_digest() != before

    backup_restore(tmp_path / "guanxi.tar", force=True)
    assert database_digest() == before
    assert files_digest(media) == files_before
    make_customer(SYSTEM, name="恢复后新客户")  # sequences came back too: new rows do not collide


def test_restore_refuses_a_database_that_holds_data_unless_forced(business, media, tmp_path):
    backup_create(tmp_path / "guanxi.tar")
    make_customer(SYSTEM, name="不应消失")
    with pytest.raises(BackupError, match="holds data"):
        backup_restore(tmp_path / "guanxi.tar")
    assert Customer.objects.filter(name="不应消失").exists()


def _rewritten(path: Path, target: Path, change) -> Path:
    """A copy of the archive at `path` whose members' bytes are `change(name, body, manifest)` (the
    manifest is read first and may be changed before its own member is written)."""
    with tarfile.open(path) as source, tarfile.open(target, "w") as copy:
        manifest = json.loads(source.extractfile("manifest.json").read())
        for member in source.getmembers():
            body = change(member.name, source.extractfile(member).read(), manifest)
            member.size = len(body)
            copy.addfile(member, io.BytesIO(body))
    return target


def test_a_damaged_file_is_refused_before_anything_is_replaced(business, media, tmp_path):
    backup_create(tmp_path / "guanxi.tar")
    damaged = _rewritten(tmp_path / "guanxi.tar", tmp_path / "damaged.tar", lambda name, body, manifest: (
        body.replace("张三".encode(), "李四".encode()) if name.endswith("customers.csv") else body))
    make_customer(SYSTEM, name="不应消失")
    before, files_before = database_digest(), files_digest(media)
    with pytest.raises(BackupError, match="damaged"):
        backup_restore(damaged, force=True)
    assert database_digest() == before and files_digest(media) == files_before


def _archive(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, body in {**members, "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return path


def test_foreign_and_unsafe_archives_are_refused(business, media, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    with pytest.raises(BackupError, match=f"{other} backup"):
        backup_restore(_archive(tmp_path / "a.tar", {"format": 1, "vendor": other, "database": "db",
                                                     "files": {}, "tables": {}}, {"db": b""}), force=True)
    escape = {"format": 1, "vendor": connection.vendor, "database": "db", "files": {}, "tables": {}}
    with pytest.raises(BackupError, match="unexpected entry"):
        backup_restore(_archive(tmp_path / "b.tar", escape, {"db": b"", "../../etc/evil": b"x"}), force=True)
    (tmp_path / "c.tar").write_text("not an archive")
    with pytest.raises(BackupError, match="not a backup archive"):
        backup_restore(tmp_path / "c.tar", force=True)
    with tarfile.open(tmp_path / "d.tar", "w") as bare:
        bare.addfile(tarfile.TarInfo("database.sqlite3"), io.BytesIO(b""))
    with pytest.raises(BackupError, match="no readable manifest"):
        backup_restore(tmp_path / "d.tar", force=True)
    assert Customer.objects.count() == 5


def test_commands_write_and_restore_with_clear_errors(business, media, tmp_path):
    target = tmp_path / "cli.tar"
    call_command("backup", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="holds data"):
        call_command("restore", str(target), stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore", str(target), "--force", stdout=out)
    assert "restored" in out.getvalue()
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL restore's own failure path")
def test_a_restore_that_fails_half_way_leaves_the_database_as_it_was(business, media, tmp_path):
    """A dump cut short (its checksum made to match) creates the tables, then fails reading their rows."""
    backup_create(tmp_path / "guanxi.tar")

    def cut_short(name: str, body: bytes, manifest: dict) -> bytes:
        if name == manifest["database"]:
            body = body[: len(body) * 2 // 3]
            manifest["database_sha256"] = hashlib.sha256(body).hexdigest()
        return json.dumps(manifest).encode() if name == "manifest.json" else body

    cut = _rewritten(tmp_path / "guanxi.tar", tmp_path / "cut.tar", cut_short)
    make_customer(SYSTEM, name="不应消失")
    before, files_before = database_digest(), files_digest(media)
    with pytest.raises(BackupError, match="pg_restore failed"):
        backup_restore(cut, force=True)
    assert database_digest() == before and files_digest(media) == files_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'guanxi_before_restore'")
        assert cursor.fetchone()[0] == 0
    backup_restore(tmp_path / "guanxi.tar", force=True)  # and the next restore finds everything in place
    assert not Customer.objects.filter(name="不应消失").exists()
