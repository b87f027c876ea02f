from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark harness: an app of its own, above every domain app, for `guanxi bench`."""

    name = "bench"
    verbose_name = "Benchmarks"
