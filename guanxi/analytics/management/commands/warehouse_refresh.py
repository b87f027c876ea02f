"""`guanxi warehouse_refresh [--full]`: refresh the star schema now, with a progress bar."""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import DomainError


class Command(BaseCommand):
    help = "Analytics: refresh the star schema (the rows changed since the last refresh, or --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every table from scratch")
        parser.add_argument("--json", action="store_true", help="print the rows per table as JSON")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            bar = progress.add_task("warehouse", total=None)

            def report(table: str, done: int, total: int) -> None:
                progress.update(bar, description=f"warehouse: {table}", completed=done)

            try:
                run = warehouse_refresh(actor=SYSTEM, full=options["full"], progress=report)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        console.print(f"[green]✓[/] {run.get_mode_display()} refresh {run.pk} in {seconds:.1f} s: "
                      + ", ".join(f"{name} {rows:,}" for name, rows in run.rows.items()))
        if options["json"]:
            self.stdout.write(json.dumps({"refresh": run.pk, "seconds": seconds, "rows": run.rows}))
