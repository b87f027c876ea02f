import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings

pytest_plugins = ("celery.contrib.pytest", "pytester")

# Property tests draw the same examples on every run (seeded from each test), so that a run does not
# pass or fail by chance, and with no deadline (how long an example takes on a busy shared machine is chance
# too); HYPOTHESIS_PROFILE=explore draws new ones (and keeps failures in .hypothesis/).
hypothesis_settings.register_profile("pinned", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pinned"))

NOW_ENV = "GUANXI_TEST_NOW"


def pytest_addoption(parser):
    parser.addoption(
        "--now", default=os.environ.get(NOW_ENV, ""), metavar="ISO-DATETIME",
        help=f"run the whole session with the clock moved to this moment (ISO 8601, e.g. 2028-02-29T10:00:00+08:00; "
             f"a date alone means 10:00 China time), ticking from there; also ${NOW_ENV}",
    )
    parser.addoption(
        "--db-only", action="store_true",
        help="run only the tests that use the database, except the per-module demo checks (a second pass on another "
             "database need not repeat tests that cannot touch it, and runs the whole demo once in tests/test_demo.py)",
    )


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "django_db_reset_sequences",
                     "django_db_serialized_rollback"}


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--db-only"):
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        (keep if uses_db and not item.get_closest_marker("demo") else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def parse_now(value: str) -> dt.datetime:
    """'2028-02-29' or '2028-02-29T10:00:00+08:00' → an aware datetime (naive values are China time)."""
    moment = dt.datetime.fromisoformat(value) if "T" in value or " " in value else \
        dt.datetime.combine(dt.date.fromisoformat(value), dt.time(10))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment


def pytest_configure(config):
    """With --now / GUANXI_TEST_NOW the clock travels for the whole session (each xdist worker too),
    before the test databases are created, so that the suite can be proven green on any date."""
    value = config.getoption("--now")
    if not value:
        return
    import time_machine

    traveller = time_machine.travel(parse_now(value), tick=True)
    traveller.start()
    config._guanxi_traveller = traveller


def pytest_unconfigure(config):
    traveller = getattr(config, "_guanxi_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    value = config.getoption("--now")
    if value:
        return f"clock moved to {parse_now(value).isoformat()} ({NOW_ENV} / --now)"
    return None


@pytest.fixture(autouse=True)
def _empty_cache():
    """Caches (API tokens, service standards) live in the process; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in its thread (LocaleMiddleware activates and never
    deactivates); each test starts in the default language, as each request of a server does."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def admin(db):
    """An administrator (every app's tests sign in as one to set up their world)."""
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    return UserFactory(role=Role.ADMIN)
