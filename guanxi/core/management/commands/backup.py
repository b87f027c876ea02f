"""`guanxi backup FILE`: the database and the uploaded files in one archive, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.core.backup import BackupError, backup_create


def progress_bar(command: BaseCommand) -> tuple[Console, Progress]:
    console = Console(file=command.stdout._out, highlight=False, width=None if command.stdout.isatty() else 120)
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn(), console=console, transient=True)
    return console, bar


class Command(BaseCommand):
    help = "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) and the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write (a new file, e.g. guanxi-2026-12-05.tar)")

    def handle(self, *args, **options):
        console, bar = progress_bar(self)
        with bar:
            task = bar.add_task("backup", total=None)
            try:
                report = backup_create(options["file"], progress=lambda step, done, total: bar.update(
                    task, description=f"backup: {step}", completed=done, total=total))
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        console.print(f"[green]✓[/] {report.path}: {report.vendor}, {len(report.tables)} tables, "
                      f"{report.rows:,} rows, {len(report.files)} files")
