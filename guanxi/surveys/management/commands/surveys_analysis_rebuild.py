"""`guanxi surveys_analysis_rebuild`: recompute the satisfaction analysis snapshot from the raw answers."""

import json
import time

from django.core.management.base import BaseCommand

from guanxi.surveys.analysis import snapshot


class Command(BaseCommand):
    help = ("Surveys: rebuild the monthly analysis snapshot (answer and response-rate aggregates) from the "
            "surveys and answers, e.g. after the value segments were recomputed; --compact only folds its rows.")

    def add_arguments(self, parser):
        parser.add_argument("--compact", action="store_true", help="only fold the rows appended since")

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = snapshot.compact() if options["compact"] else snapshot.rebuild()
        result["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(result))
