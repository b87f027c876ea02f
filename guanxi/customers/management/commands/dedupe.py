"""`guanxi dedupe scan [--threshold X] [--auto-merge-above Y] [--background]`: find duplicate customers.

Exit codes: 0 the scan finished (or was queued), 1 the scan failed, 2 bad arguments or a scan is
already running.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.customers.models import DedupeScan
from guanxi.customers.services.dedupe import dedupe_scan_create, dedupe_scan_run


def _probability(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"not a number: {text!r}", returncode=2) from None


class Command(BaseCommand):
    help = "Duplicate customers (一客一档): scan all live customers for probable duplicates."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="compare all customers and queue probable duplicates for review")
        scan.add_argument("--threshold", type=str, default=None,
                          help="review threshold, a probability in [0.5, 1] (default: DEDUPE_REVIEW_THRESHOLD)")
        scan.add_argument("--auto-merge-above", type=str, default=None, dest="auto_merge",
                          help="merge pairs at or above this probability without review (default: off)")
        scan.add_argument("--background", action="store_true", help="queue the scan on Celery instead")
        scan.add_argument("--json", action="store_true", dest="as_json", help="print the result as JSON")

    def handle(self, *args, action, threshold, auto_merge, background, as_json=False, **options):
        review = _probability(threshold) if threshold is not None else None
        auto = _probability(auto_merge) if auto_merge is not None else None
        try:
            scan = dedupe_scan_create(actor=SYSTEM, threshold=review, auto_merge_threshold=auto)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message}{' (' + detail + ')' if detail else ''}", returncode=2) from exc
        if background:
            from guanxi.customers.tasks import dedupe_scan

            dedupe_scan.delay(scan.pk)
            self.stdout.write(f"scan {scan.pk} queued")
            return
        console = Console(file=self.stderr._out, highlight=False)
        with Progress(TextColumn("[bold]Scanning for duplicates"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("scan", total=100)
            scan = dedupe_scan_run(actor=SYSTEM, scan=scan, on_progress=lambda p: bar.update(task, completed=p))
        summary = {"scan": scan.pk, "status": scan.status, "records": scan.total,
                   "candidates": scan.candidates_found, "auto_merged": scan.auto_merged,
                   "threshold": scan.threshold, "auto_merge_threshold": scan.auto_merge_threshold,
                   "seconds": round((scan.finished_at - scan.started_at).total_seconds(), 1)
                   if scan.finished_at and scan.started_at else None}
        if as_json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"scan {scan.pk}: {scan.get_status_display()} - {scan.total} customers, "
                f"{scan.candidates_found} candidate pairs, {scan.auto_merged} merged automatically"
                + (f", {summary['seconds']} s" if summary["seconds"] is not None else "")
            )
        if scan.status != DedupeScan.Status.DONE:
            raise CommandError(f"the scan failed: {scan.error}", returncode=1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
