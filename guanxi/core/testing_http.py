"""Test helpers for settings that are read when the URLconf is imported (DEBUG)."""

import contextlib
import importlib

from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches


@contextlib.contextmanager
def debug_urlconf():
    """DEBUG on, with the URLconf imported again under it (as `runserver` with DEBUG would)."""
    urls = importlib.import_module(settings.ROOT_URLCONF)
    try:
        with override_settings(DEBUG=True):
            importlib.reload(urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(urls)
        clear_url_caches()
