from django.core.management.base import BaseCommand
from rich.progress import Progress

from guanxi.accounts.access import SYSTEM
from guanxi.customers.services.customers import customer_search_reindex
from guanxi.customers.tasks import reindex_customer_search


class Command(BaseCommand):
    help = "Recompute the search keys (pinyin, initials, search document) of every customer."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--background", action="store_true", help="queue it on Celery instead")

    def handle(self, *args, batch_size, background, **options):
        if background:
            result = reindex_customer_search.delay(batch_size=batch_size)
            self.stdout.write(f"queued as task {result.id}")
            return
        with Progress() as bar:
            task = bar.add_task("reindexing customers", total=None)
            done = customer_search_reindex(
                actor=SYSTEM,
                batch_size=batch_size, progress=lambda n, total: bar.update(task, completed=n, total=total)
            )
        self.stdout.write(f"reindexed {done} customers")
