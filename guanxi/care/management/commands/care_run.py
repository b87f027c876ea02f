"""`guanxi care_run`: the daily care run now (or for another day), with a progress bar."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.care.services import care_run
from guanxi.core.errors import DomainError


class Command(BaseCommand):
    help = "Customer care: greetings and care tasks for the occasions due (birthdays, festivals, anniversaries)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="run as on this day, YYYY-MM-DD (default: today)")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be a date, YYYY-MM-DD") from exc
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            bar = progress.add_task("care", total=None)

            def report(label: str, done: int, total: int) -> None:
                progress.update(bar, description=f"care: {label}", completed=done, total=total)

            try:
                result = care_run(actor=SYSTEM, day=day, progress=report)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        console.print(f"[green]✓[/] {result['rules']} rules: {result['actions']} care actions, "
                      f"{result['messages']} greetings queued, {result['tasks']} tasks")
        if options["json"]:
            self.stdout.write(json.dumps(result))
