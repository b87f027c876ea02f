import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ as JSON."

    def handle(self, *args, **options):
        api = import_string(settings.API_OBJECT)  # the project's NinjaAPI; core does not import config
        self.stdout.write(json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2))
