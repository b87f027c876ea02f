"""Serve the product with gunicorn (a production server), with collected static files."""

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
        self.stdout.write(f"Guanxi on http://{bind}/  (workers={workers}, threads={threads})")
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--threads", str(threads), "--access-logfile", "-", "--timeout", "120"]
        os.execv(sys.executable, args)
