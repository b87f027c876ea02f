pytest_plugins = ("celery.contrib.pytest",)

import pytest


@pytest.fixture(autouse=True)
def _reset_lockouts(settings):
    """Each test starts with no failed-login history (django-axes keeps it in the database)."""
    settings.AXES_ENABLED = True
