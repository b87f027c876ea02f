"""`guanxi bench dashboard`: the executive dashboard's page and API timed over the warehouse as it
is (built first when it has never been): p50/p95 of each, for a month, a quarter and a year, with
the warehouse's table sizes and the load average. Requests go through the whole Django stack
(middleware, session or bearer token, templates) by the WSGI test client of this process."""

from __future__ import annotations

import os
import statistics
import time

from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.services import warehouse_refresh
from guanxi.analytics.warehouse.store import manifest_read


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1), "n": len(ordered)}


def run(*, requests: int) -> dict:
    from bench.generate import ensure_staff
    from guanxi.accounts.services import api_token_create

    result: dict = {}
    if not manifest_read().tables:
        started = time.perf_counter()
        warehouse_refresh(actor=SYSTEM, full=True)
        result["full_rebuild_seconds"] = round(time.perf_counter() - started, 1)
    manifest = manifest_read()
    result["warehouse_rows"] = {name: files.rows + files.delta_rows for name, files in manifest.tables.items()
                                if not name.startswith("dim_date")}
    analyst = ensure_staff()["admin"]
    _, token = api_token_create(user=analyst, name="bench dashboard")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    page = Client(HTTP_HOST="localhost")
    page.force_login(analyst)
    for kind in ("month", "quarter", "year"):
        for name, client, url in (("page", page, "/analytics/"), ("api", api, "/api/v1/analytics/dashboard")):
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(url, {"period": kind})
                samples.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
            result[f"{name}_{kind}"] = _percentiles(samples)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return result
