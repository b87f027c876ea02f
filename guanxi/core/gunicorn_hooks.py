"""Gunicorn hooks of `guanxi serve` (loaded with `-c python:guanxi.core.gunicorn_hooks`)."""


def post_worker_init(worker):
    """Each worker offers to run the beat schedule inline; one takes it (see core.scheduler)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from guanxi.core.scheduler import start_inline_scheduler

    start_inline_scheduler()
    for path in getattr(settings, "WORKER_START_HOOKS", ()):  # e.g. the inbound-SMS inbox's applier
        import_string(path)()
    freeze_loaded_objects()


def freeze_loaded_objects() -> None:
    """Load the URLs (and so every view, schema and the API) and jieba's dictionary now, then move
    everything loaded so far out of the garbage collector's sight: a full collection otherwise walks
    those ~280,000 long-lived objects and stalls the request it falls in by 0.4–0.5 s. Loaded lazily,
    the dictionary kept a worker's first search for a company name (华星科技) waiting 1.5–2 s."""
    import gc

    from django.urls import get_resolver

    from guanxi.core.chinese_text import load_dictionary

    get_resolver().url_patterns  # noqa: B018  # imports the URLconf
    load_dictionary()
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """A worker gone: its live gauges leave the summed metrics (multiprocess mode, see core.metrics)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
