"""Write the schema snapshot of the default database's engine again, or check that it is current."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from ... import snapshot

SCRATCH_DATABASE = "guanxi_schema_snapshot"


class Command(BaseCommand):
    help = ("Migrate a scratch database from nothing and dump it as the schema snapshot of its engine "
            "(--write), or exit 1 when the snapshot does not match the migrations.")

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="write the snapshot again")

    def handle(self, *args, write: bool, **options):
        connection = connections["default"]
        path = snapshot.path_for(connection.vendor)
        if not write:
            if snapshot.current_text(connection.vendor) is None:
                raise CommandError(f"{path} does not match the migrations: run make schema-snapshots")
            self.stdout.write(f"{path} is current")
            return
        fingerprint = snapshot.fingerprint()
        connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": SCRATCH_DATABASE}
        with snapshot.bypass():
            databases = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        try:
            text = snapshot.dump(connection)
        finally:
            teardown_databases(databases, verbosity=0)
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{snapshot.HEADER}{fingerprint}\n{text}", encoding="utf-8")
        self.stdout.write(f"wrote {path} ({path.stat().st_size // 1024} KB)")
