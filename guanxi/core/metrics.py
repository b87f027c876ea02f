"""Prometheus metrics (prometheus-client), served at /metrics to a bearer of METRICS_TOKEN or an
administrator: request latency by route, Celery task runs, failures and durations, the health of the
database and Redis (checked at each scrape), and business gauges that the modules register
(`register_gauge`: core knows no module above it).

Under gunicorn, each worker process counts for itself; with PROMETHEUS_MULTIPROC_DIR set (an empty
folder, cleared at start), the workers write their counts there and a scrape adds them up.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_LATENCY = Histogram(
    "guanxi_http_request_duration_seconds", "Time to answer a request, by route pattern",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("guanxi_celery_tasks_total", "Celery task runs by outcome (succeeded, failed, retried)",
                ["task", "outcome"])
TASK_DURATION = Histogram("guanxi_celery_task_duration_seconds", "Time a Celery task ran", ["task"],
                          buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800))

# name -> (help, function returning the value), read at each scrape.
GAUGES: dict[str, tuple[str, Callable[[], float]]] = {}


def register_gauge(name: str, help_text: str, read: Callable[[], float]) -> None:
    """A business figure (queue depth, breaches…) read when Prometheus scrapes."""
    GAUGES[name] = (help_text, read)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(method, route, str(status)).observe(seconds)


_started: dict[str, float] = {}
OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}


def task_started(task_id=None, **_kwargs) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **_kwargs) -> None:
    name = getattr(task, "name", "unknown")
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(name).observe(time.perf_counter() - started)
    TASKS.labels(name, OUTCOMES.get(state, (state or "unknown").lower())).inc()


class StateCollector:
    """Health and business gauges, computed when scraped (never stale, no background thread)."""

    def collect(self):
        from .health import system_health  # reads settings and the database: not at import time

        health = system_health()["checks"]
        up = GaugeMetricFamily("guanxi_dependency_up", "1 when the dependency answers", labels=["dependency"])
        latency = GaugeMetricFamily("guanxi_dependency_check_seconds", "Time the health check took",
                                    labels=["dependency"])
        for name in ("database", "redis"):
            up.add_metric([name], 1.0 if health[name]["status"] == "ok" else 0.0)
            latency.add_metric([name], health[name]["ms"] / 1000)
        yield up
        yield latency
        for name, (help_text, read) in sorted(GAUGES.items()):
            yield GaugeMetricFamily(name, help_text, value=float(read()))


def exposition() -> bytes:
    """The text exposition of every metric (summed over workers in multiprocess mode)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_LATENCY, TASKS, TASK_DURATION):
            registry.register(collector)
    registry.register(StateCollector())
    return generate_latest(registry)


def token_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
