"""The `guanxi` operator command: Django's management commands under one name.

`guanxi demo`, `guanxi serve`, `guanxi openapi`, `guanxi bench ...`, `guanxi import ...` and every
module's jobs are management commands; `guanxi migrate` and the rest of Django's work too.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *sys.argv[1:]])


if __name__ == "__main__":
    main()
