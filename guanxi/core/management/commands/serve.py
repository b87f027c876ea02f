"""Serve the product with gunicorn (a production server), with collected static files.

Never a debug server: under the local (development) settings it serves with config.settings.serve
(DEBUG off, a generated secret key); `manage.py runserver` keeps DEBUG. Gunicorn passes request lines
of any length through, so that an over-long URL gets the product's own 414 (JSON under /api/)."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Guanxi under gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **options):
        os.environ["DJANGO_SETTINGS_MODULE"] = served_settings(os.environ.get("DJANGO_SETTINGS_MODULE", ""))
        self.stdout.write(f"Guanxi on http://{bind}/  (workers={workers}, threads={threads})")
        os.execv(sys.executable, gunicorn_command(bind=bind, workers=workers, threads=threads))  # nosec B606  # execs gunicorn with fixed arguments


def served_settings(module: str) -> str:
    """The settings gunicorn runs with: the development settings are replaced by their served form."""
    return "config.settings.serve" if module in ("", "config.settings.local") else module


def gunicorn_command(*, bind: str, workers: int, threads: int) -> list[str]:
    # --limit-request-line 0: no limit in gunicorn (its own 414 is an HTML page); the product
    # refuses URLs longer than REQUEST_URL_MAX_LENGTH itself. Bodies are capped by the product too
    # (RequestLimitsMiddleware), on the declared length, before they are read.
    return [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", bind, "--workers", str(workers),
            "--threads", str(threads), "--access-logfile", "-", "--timeout", "120", "--limit-request-line", "0",
            # Without Redis (no Celery beat) one worker runs the beat schedule inline: core.scheduler.
            "--config", "python:guanxi.core.gunicorn_hooks"]
