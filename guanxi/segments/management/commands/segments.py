"""`guanxi segments recompute`: recompute every customer's value now, with a progress bar."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.segments.services import value_recompute


class Command(BaseCommand):
    help = "Segments and customer value: recompute every customer's value, segments and member counts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("recompute", help="recompute every customer's value now")
        run.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        run.add_argument("--json", action="store_true", help="print the run's summary as JSON")

    def handle(self, *args, action, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, YYYY-MM-DD") from exc
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("value run", total=None)

            def report(label: str, done: int, total: int) -> None:
                progress.update(task, description=f"value run: {label}", completed=done, total=total)

            try:
                run = value_recompute(actor=SYSTEM, progress=report, as_of=as_of)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        clv = run.summary.get("clv", {})
        console.print(f"[green]✓[/] {run.customers} customers as of {run.as_of} in {run.seconds:.1f}s "
                      f"(CLV: {'fitted' if clv.get('fitted') else clv.get('reason', 'not computed')})")
        for label, seconds in run.summary.get("timings", {}).items():
            console.print(f"  {label:<20} {seconds:8.2f}s")
        if options["json"]:
            self.stdout.write(json.dumps({"run": run.pk, "seconds": run.seconds, "summary": run.summary},
                                         ensure_ascii=False, default=str))
