"""`guanxi offers_train`: train the next-best-offer model now, with a progress bar."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.offers.services import offer_model_train


class Command(BaseCommand):
    help = "Next-best offer: train a new model on every customer's holdings and make it the active one."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
        parser.add_argument("--json", action="store_true", help="print the model's metrics as JSON")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date, YYYY-MM-DD") from exc
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("offer model", total=None)

            def report(label: str, done: int, total: int) -> None:
                progress.update(task, description=f"offer model: {label}", completed=done, total=total)

            try:
                model = offer_model_train(actor=SYSTEM, progress=report, as_of=as_of, seed=options["seed"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        rates = model.metrics["hit_rates"]
        console.print(f"[green]✓[/] model v{model.version} ({model.algorithm}) on {model.customers} customers "
                      f"in {model.seconds:.1f}s; {model.metrics['evaluated']} held-back purchases")
        for name, rate in rates.items():
            console.print(f"  {name:<12} hit@1 {rate['hit_at_1']:6.1%}  hit@3 {rate['hit_at_3']:6.1%}")
        for label, seconds in model.metrics.get("timings", {}).items():
            console.print(f"  {label:<16} {seconds:8.2f}s")
        if options["json"]:
            self.stdout.write(json.dumps({"model": model.pk, "version": model.version, "seconds": model.seconds,
                                          "metrics": model.metrics}, ensure_ascii=False, default=str))
