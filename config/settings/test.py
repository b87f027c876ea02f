"""Test settings: fast hashing, no lockouts between tests, inline Celery."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests clear the cache between cases: never a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Spark tests run in local mode with one core and a small driver.
SPARK_MASTER = "local[1]"
SPARK_CONF = "spark.sql.shuffle.partitions=2;spark.driver.memory=1g;spark.default.parallelism=2"
