"""`guanxi import customers FILE`: import customers from CSV or XLSX, all or nothing.

Exit codes: 0 imported (or a clean dry run), 1 some rows are bad (nothing written), 2 the file
itself cannot be used (format, encoding, missing columns) or the arguments are wrong.
"""

import csv
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.customers.importing import ENCODINGS, CustomerFileReader, ImportFileError
from guanxi.customers.services.importing import ImportReport, customer_import

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import records from a CSV or XLSX file with a header row (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers"], help="what the file holds")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto", help="CSV text encoding")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="the user the import is recorded as (default: the first administrator)")
        parser.add_argument("--report", metavar="FILE", help="also write the row errors to this CSV file")

    def handle(self, *args, what, file, dry_run, encoding, as_user, report, **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        actor = self._actor(as_user)
        try:
            reader = CustomerFileReader(file, encoding=encoding)
            started = time.perf_counter()
            with Progress(TextColumn("[bold]Importing customers"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                task = progress.add_task("rows", total=reader.total_hint or None)
                result = customer_import(actor=actor, rows=reader, dry_run=dry_run,
                                         on_progress=lambda n: progress.advance(task, n))
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc.message}", returncode=2) from exc
        elapsed = time.perf_counter() - started

        if reader.unknown_columns:
            console.print(f"Ignored unknown columns: {', '.join(reader.unknown_columns)}")
        if report:
            self._write_report(report, result)
        if result.errors:
            self._print_errors(console, result)
            raise CommandError(
                f"{result.bad_rows} of {result.rows} rows are not valid; nothing was imported.", returncode=1
            )
        if dry_run:
            console.print(f"Dry run: all {result.rows} rows are valid; nothing was written ({elapsed:.1f}s).")
        else:
            console.print(f"Imported {result.created} customers from {file} ({elapsed:.1f}s).")

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.select_related("team").filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.", returncode=2)
            return user
        user = (User.objects.select_related("team").filter(is_active=True)
                .filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).order_by("id").first())
        if user is None:
            raise CommandError("No administrator to record the import as; pass --as USERNAME.", returncode=2)
        return user

    def _print_errors(self, console: Console, result: ImportReport) -> None:
        table = Table(title="Rows that cannot be imported", title_justify="left")
        for column in ("row", "field", "reason"):
            table.add_column(column)
        for error in result.errors[:SHOWN_ERRORS]:
            table.add_row(str(error.row), error.field, error.message)
        console.print(table)
        if len(result.errors) > SHOWN_ERRORS:
            console.print(f"… and {len(result.errors) - SHOWN_ERRORS} more (use --report FILE for all).")

    def _write_report(self, path: str, result: ImportReport) -> None:
        # utf-8-sig so that Excel opens the Chinese text correctly.
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["row", "field", "reason"])
            writer.writerows((e.row, e.field, e.message) for e in result.errors)
