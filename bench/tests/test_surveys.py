"""The survey benchmarks on a small scale: the sample path end to end and the driver report."""

import pytest

from bench import surveys
from guanxi.customers.models import Interaction
from guanxi.segments.tests.factories import make_customer


@pytest.mark.django_db
def test_sample_bench_refreshes_and_draws(admin):
    customers = [make_customer(admin, name=f"客户{i}", arpu=str(10 * i)) for i in range(40)]
    Interaction.objects.bulk_create(Interaction(customer=c, channel="call", occurred_at=c.created_at)
                                    for c in customers[:10])
    report = surveys.time_sample(size=12, seed=1, runs=2)
    assert report["refresh"]["rows"] == 40
    for method in ("proportional", "neyman"):
        assert [run["sampled"] for run in report[method]["runs"]] == [12, 12]
        assert report[method]["median_seconds"] >= 0


def test_driver_bench_reports_planted_and_recovered():
    report = surveys.time_drivers(responses=3_000, seed=2, runs=1)
    assert report["responses"] == 3_000 and len(report["seconds"]) == 1
    recovered = report["drivers"]["service_attitude"]
    assert recovered["planted"] == 0.45 and recovered["ci"][0] <= 0.45 <= recovered["ci"][1]
