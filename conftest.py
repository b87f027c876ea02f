import pytest

pytest_plugins = ("celery.contrib.pytest",)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Caches (API tokens, service standards) live in the process; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
