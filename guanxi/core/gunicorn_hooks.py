"""Gunicorn hooks of `guanxi serve` (loaded with `-c python:guanxi.core.gunicorn_hooks`)."""


def post_worker_init(worker):
    """Each worker offers to run the beat schedule inline; one takes it (see core.scheduler)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from guanxi.core.scheduler import start_inline_scheduler

    start_inline_scheduler()
    for path in getattr(settings, "WORKER_START_HOOKS", ()):  # e.g. the inbound-SMS inbox's applier
        import_string(path)()


def child_exit(server, worker):
    """A worker gone: its live gauges leave the summed metrics (multiprocess mode, see core.metrics)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
