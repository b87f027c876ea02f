"""`guanxi churn_train [--horizon 90] [--seed 0]`: train a churn model now, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.churn.services import churn_model_train
from guanxi.core.errors import DomainError


class Command(BaseCommand):
    help = "Analytics: train a churn model on the customers active before a cut-off (horizon days ago)."

    def add_arguments(self, parser):
        parser.add_argument("--horizon", type=int, default=90, help="churn within this many days after the cut-off")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            bar = progress.add_task("churn model", total=3)

            def report(step: str, done: int, total: int) -> None:
                progress.update(bar, description=f"churn model: {step}", completed=done, total=total)

            try:
                model = churn_model_train(actor=SYSTEM, horizon_days=options["horizon"], seed=options["seed"],
                                          progress=report)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        if model.reason:
            raise CommandError(model.reason)
        console.print(f"[green]✓[/] churn model v{model.version}: {model.rows:,} customers, {model.churners:,} "
                      f"churners, holdout AUC {model.metrics['auc']}")
