"""Django's migrate, except that an empty database gets the current schema snapshot instead."""

from django.apps import apps
from django.core.management.commands import migrate
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections

from ... import snapshot

PARTIAL_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "check_unapplied", "prune")


class Command(migrate.Command):
    help = f"{migrate.Command.help} An empty database gets the schema snapshot when it is current (test settings)."

    def handle(self, *args, **options):
        if not self._loaded_snapshot(options):
            super().handle(*args, **options)

    def _loaded_snapshot(self, options) -> bool:
        connection = connections[options["database"]]
        if snapshot.bypassed() or any(options.get(name) for name in PARTIAL_OPTIONS) or \
                connection.introspection.table_names():
            return False
        body = snapshot.current_text(connection.vendor)
        if body is None:
            self.stderr.write(f"The {connection.vendor} schema snapshot does not match the migrations: migrating "
                              f"instead (make schema-snapshots writes it again).")
            return False
        try:
            snapshot.load(connection, body)
        except Exception as error:  # noqa: BLE001  # any failure means: migrate as without a snapshot
            self.stderr.write(f"The {connection.vendor} schema snapshot did not load ({error}): migrating instead.")
            return False
        # What migrate does last: content types, permissions and the apps' own post-migrate steps (idempotent).
        emit_post_migrate_signal(options["verbosity"], options["interactive"], connection.alias, apps=apps, plan=[])
        return True
