import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from guanxi.accounts.access import SYSTEM
from guanxi.customers.services.retention import history_retention_run


class Command(BaseCommand):
    help = ("Interaction and transaction history older than HISTORY_RETENTION_YEARS (at least 3): report it, "
            "or delete it with --apply. Rows younger than the retention are never touched.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="delete the expired rows (default: report only)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, apply, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = history_retention_run(actor=SYSTEM, apply=apply, batch_size=batch_size)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
