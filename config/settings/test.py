"""Test settings: fast hashing, no lockouts between tests, inline Celery."""

from .base import *  # noqa: F403

DEBUG = False
# Test databases start from the snapshot of the migrated schema (guanxi/core/schema_snapshots).
INSTALLED_APPS = [*INSTALLED_APPS, "guanxi.core.schema_snapshots"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests clear the cache between cases: never a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A replica alias mirroring the test database, so that the routing to it can be tested; reports
# use it only where a test sets REPORT_DATABASE = "replica".
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
# Tests move the clock by days with a signed-in client or a token made before the move: no idle
# timeout and no token age limit here; their own tests set them (accounts/tests/test_session_expiry.py).
SESSION_IDLE_TIMEOUT = 0
API_TOKEN_MAX_DAYS = 0
# The test database's name (default: test_<NAME>; pytest-xdist appends _gw0, _gw1, …).
if env.str("TEST_DATABASE_NAME", default=""):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}  # noqa: F405
# Spark tests run in local mode with one core and a small driver.
SPARK_MASTER = "local[1]"
SPARK_CONF = "spark.sql.shuffle.partitions=2;spark.driver.memory=1g;spark.default.parallelism=2"
