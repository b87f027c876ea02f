"""`guanxi import customers FILE`: import customers from CSV or XLSX, all or nothing (`guanxi import
leads FILE`: leads, or whatever another app registered as an import target, the same way).

Every row is checked (duplicates within the file and with existing customers) and written in one
transaction: customers are written while the next rows are being checked, and nothing stays when a
row turns out bad. The run is recorded as an import job like one from the UI.

Exit codes: 0 imported (or a clean dry run), 1 some rows are bad or the write failed (nothing
written), 2 the file itself cannot be used (size, format, encoding, missing columns) or the
arguments are wrong.
"""

import os
import shutil

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import translation
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.errors import DomainError
from guanxi.customers.importing.files import ENCODINGS, ImportFileError
from guanxi.customers.importing.targets import CUSTOMERS, import_target_names
from guanxi.customers.models import ImportJob
from guanxi.customers.services.imports import (
    WRITE_ERROR,
    WRITE_FAILED,
    import_job_create,
    import_job_import,
    import_job_validate,
)

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import records from a CSV or XLSX file with a header row (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=[CUSTOMERS, *import_target_names()], help="what the file holds")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto", help="CSV text encoding")
        parser.add_argument("--sheet", default="", help="the XLSX sheet to read (default: the first with data)")
        parser.add_argument("--source", default="", metavar="NAME",
                            help="the outside system the file comes from, e.g. 'POS 门店系统': its remembered "
                                 "column mapping is used, and --mapping is remembered for it")
        parser.add_argument("--mapping", default="", metavar="COL=FIELD,...",
                            help="file column → customer field, e.g. '手机号码=mobile,客户名=name'")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="the user the import is recorded as (default: the first administrator)")
        parser.add_argument("--report", metavar="FILE", help="also write the row errors and warnings to this CSV")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes that parse a big CSV file (default: one per core, at most 4)")

    def handle(self, *args, what, file, dry_run, encoding, sheet, source, mapping, as_user, report, workers,
               **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        actor = self._actor(as_user)
        if workers is None:
            workers = min(4, os.cpu_count() or 1)
        with translation.override("en"):
            try:
                job = import_job_create(actor=actor, path=file, source=source, mapping=mapping or None,
                                        sheet=sheet, encoding=encoding, dry_run=dry_run, language="en", target=what)
            except ImportFileError as exc:
                raise CommandError(f"{file}: {exc.message}", returncode=2) from exc
            except DomainError as exc:
                raise CommandError(exc.message, returncode=2) from exc
            run = import_job_validate if dry_run else import_job_import
            with _bar(console, "Validating" if dry_run else "Importing") as (progress, task):
                job = run(job=job, path=file, workers=workers,
                          on_progress=lambda done, total: progress.update(task, completed=done, total=total))
            if job.status == ImportJob.Status.FAILED:
                # The rows were good, the write failed.
                written = job.message_detail.get("template") in (WRITE_FAILED, WRITE_ERROR)
                raise CommandError(f"{file}: {job.message}", returncode=1 if written else 2)
            ignored = [h for h in job.headers if h and h not in job.mapping]
            if ignored:
                console.print(f"Ignored columns: {', '.join(ignored)}")
            if report and job.report:
                with job.report.open("rb") as src, open(report, "wb") as out:
                    shutil.copyfileobj(src, out)
            if job.existing_match_count:
                console.print(f"{job.existing_match_count} rows match existing records ({what}: by mobile, ID "
                              "number, e-mail or name); see the report.")
            if job.error_count:
                self._print_errors(console, job)
                raise CommandError(f"{job.error_count} of {job.total_rows} rows are not valid; nothing was imported.",
                                   returncode=1)
            validated_seconds = _seconds(job)
            if dry_run:
                console.print(f"Dry run: all {job.total_rows} rows are valid; nothing was written "
                              f"({validated_seconds:.1f}s).")
                return
            if job.status != ImportJob.Status.DONE:
                raise CommandError(f"{file}: {job.message}", returncode=1)
            if what != CUSTOMERS:
                console.print(f"Imported {job.created_count} {what} from {file} ({_seconds(job):.1f}s), "
                              f"import #{job.pk}.")
                return
            console.print(f"Imported {job.created_count} customers from {file} ({_seconds(job):.1f}s); "
                          f"customer ids {job.first_customer_id}–{job.last_customer_id}, import #{job.pk}.")

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

    def _print_errors(self, console: Console, job: ImportJob) -> None:
        table = Table(title="Rows that cannot be imported", title_justify="left")
        for column in ("row", "field", "reason"):
            table.add_column(column)
        for error in job.errors[:SHOWN_ERRORS]:
            table.add_row(str(error["row"]), error["field"], error["message"])
        console.print(table)
        if len(job.errors) > SHOWN_ERRORS or job.error_count > len(job.errors):
            console.print("… and more (use --report FILE for all).")


def _seconds(job: ImportJob) -> float:
    from django.utils import timezone

    return ((job.finished_at or timezone.now()) - job.started_at).total_seconds() if job.started_at else 0.0


class _bar:
    """A rich progress bar for one phase (rows done of rows in the file)."""

    def __init__(self, console: Console, label: str):
        self.progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True)

    def __enter__(self):
        self.progress.__enter__()
        return self.progress, self.progress.add_task("rows", total=None)

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)
