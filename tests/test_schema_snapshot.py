"""The test databases start from the schema snapshot (guanxi/core/schema_snapshots), which must be what
the migrations make now; a stale or broken snapshot is never used."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from guanxi.core.schema_snapshots import snapshot


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_snapshot_of_each_engine_matches_the_migrations(vendor):
    assert snapshot.current_text(vendor) is not None, \
        f"{snapshot.path_for(vendor)} does not match the migrations: run make schema-snapshots"


@pytest.mark.django_db
def test_the_test_database_has_every_migration_recorded_and_nothing_to_migrate():
    call_command("migrate", check_unapplied=True, verbosity=0)  # exits 1 when a migration is unapplied


def test_a_snapshot_taken_of_other_migrations_is_not_used(tmp_path, monkeypatch):
    (tmp_path / "sqlite.sql").write_text(f"{snapshot.HEADER}{'0' * 64}\nCREATE TABLE x (id integer);\n")
    monkeypatch.setattr(snapshot, "FOLDER", tmp_path)
    assert snapshot.current_text("sqlite") is None


def test_the_fingerprint_covers_the_project_modules_a_migration_imports():
    source = ("from guanxi.catalog.defaults import TREE\nfrom guanxi.customers import normalize\n"
              "import guanxi.key_accounts.models\n    from guanxi.marketing.enums import LeadSource\n")
    assert snapshot._project_imports(source) == {
        "guanxi.catalog.defaults", "guanxi.customers.normalize", "guanxi.key_accounts.models", "guanxi.marketing.enums"}


def test_the_sqlite_snapshot_loads_and_dumps_back_to_itself(django_db_blocker):
    """Tables, rows, sequences, full-text tables, indexes and triggers all survive the round trip."""
    body = snapshot.current_text("sqlite")
    scratch = SQLiteWrapper({**connection.settings_dict, "NAME": ":memory:", "TEST": {}}, alias="snapshot_round_trip")
    with django_db_blocker.unblock():
        try:
            snapshot.load(scratch, body)
            assert scratch.introspection.table_names()
            assert snapshot.dump(scratch) == body
            with pytest.raises(snapshot.SnapshotError, match="not empty"):
                snapshot.load(scratch, body)
        finally:
            scratch.close()
