"""`guanxi churn_score [--tasks]`: score every active customer with the active churn model, with a
progress bar; `--tasks` then routes the riskiest tenth to their owners as retention tasks."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.churn.services import churn_retention_tasks_create, churn_scores_refresh
from guanxi.core.errors import DomainError


class Command(BaseCommand):
    help = "Analytics: score the customers' churn risk with the active model."

    def add_arguments(self, parser):
        parser.add_argument("--tasks", action="store_true", help="then make retention tasks for the riskiest tenth")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            bar = progress.add_task("churn scores", total=3)

            def report(step: str, done: int, total: int) -> None:
                progress.update(bar, description=f"churn scores: {step}", completed=done, total=total)

            try:
                scored = churn_scores_refresh(actor=SYSTEM, progress=report)
                made = churn_retention_tasks_create(actor=SYSTEM) if options["tasks"] else 0
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        console.print(f"[green]✓[/] {scored:,} customers scored" + (f", {made:,} retention tasks" if made else ""))
