"""`guanxi restore FILE [--force]`: replace the database and the uploaded files with a backup's."""

from django.core.management.base import BaseCommand, CommandError

from guanxi.core.backup import BackupError, backup_restore

from .backup import progress_bar


class Command(BaseCommand):
    help = ("Restore a backup made by `guanxi backup`: every checksum is checked first; the database and the "
            "files are replaced all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `guanxi backup`")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")

    def handle(self, *args, **options):
        console, bar = progress_bar(self)
        with bar:
            task = bar.add_task("restore", total=None)
            try:
                report = backup_restore(options["file"], force=options["force"], progress=lambda step, done, total:
                                        bar.update(task, description=f"restore: {step}", completed=done, total=total))
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        console.print(f"[green]✓[/] restored {report.path}: {len(report.tables)} tables, {report.rows:,} rows, "
                      f"{len(report.files)} files; run `guanxi migrate` if the code is newer than the backup")
