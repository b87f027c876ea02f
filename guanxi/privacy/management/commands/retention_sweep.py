"""`guanxi retention_sweep [--dry-run]`: apply the retention rules now, with a progress bar."""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.privacy.models import RetentionKind
from guanxi.privacy.retention import retention_sweep


class Command(BaseCommand):
    help = ("Personal data retention: delete or anonymise what is past its rule's period (the enabled rules), "
            "or with --dry-run show per kind what would go, changing nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only: change and record nothing")
        parser.add_argument("--kind", action="append", default=[],
                            help=f"only this kind (repeatable; enabled or not): {', '.join(RetentionKind.values)}")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per transaction")
        parser.add_argument("--max-batches", type=int, default=None,
                            help="stop each kind after this many batches (the next run goes on)")
        parser.add_argument("--json", action="store_true", help="print the runs as JSON")

    def handle(self, *args, **options):
        unknown = sorted(set(options["kind"]) - set(RetentionKind.values))
        if unknown:
            raise CommandError(f"unknown kind {', '.join(unknown)}; the kinds are {', '.join(RetentionKind.values)}")
        for name in ("batch_size", "max_batches"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            bar = progress.add_task("retention", total=None)

            def report(kind: str, done: int, total: int) -> None:
                progress.update(bar, description=f"retention: {kind}", completed=done, total=total)

            try:
                runs = retention_sweep(actor=SYSTEM, dry_run=options["dry_run"], kinds=options["kind"] or None,
                                       batch_size=options["batch_size"], max_batches=options["max_batches"],
                                       progress=report)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        verb = "would go" if options["dry_run"] else "done"
        for run in runs:
            console.print(f"{run.kind:<18} {run.action:<9} {run.period_days:>5} days  past: {run.expired:>8,}  "
                          f"{verb}: {run.processed:>8,}  kept: {run.kept:>6,}  {run.status}")
        if not runs:
            console.print("no retention rule is enabled (see /privacy/retention/)")
        if options["json"]:
            self.stdout.write(json.dumps([{"kind": r.kind, "action": r.action, "period_days": r.period_days,
                                           "cutoff": r.cutoff.isoformat(), "expired": r.expired,
                                           "processed": r.processed, "kept": r.kept, "status": r.status,
                                           "changed": r.changed, "run": r.pk, "dry_run": options["dry_run"]}
                                          for r in runs]))
