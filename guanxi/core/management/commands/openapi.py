import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ as JSON."

    def handle(self, *args, **options):
        from config.api import api

        self.stdout.write(json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2))
