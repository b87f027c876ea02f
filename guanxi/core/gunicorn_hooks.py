"""Gunicorn hooks of `guanxi serve` (loaded with `-c python:guanxi.core.gunicorn_hooks`)."""


def post_worker_init(worker):
    """Each worker offers to run the beat schedule inline; one takes it (see core.scheduler)."""
    from guanxi.core.scheduler import start_inline_scheduler

    start_inline_scheduler()
