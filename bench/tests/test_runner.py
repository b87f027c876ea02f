import httpx
import pytest

from bench import runner
from guanxi.customers import normalize


def test_percentile_matches_linear_interpolation():
    values = [float(v) for v in range(1, 101)]
    assert runner.percentile(values, 50) == pytest.approx(50.5)
    assert runner.percentile(values, 95) == pytest.approx(95.05)
    assert runner.percentile(values, 99) == pytest.approx(99.01)
    assert runner.percentile([7.0], 99) == 7.0


def test_summarize_counts_non_2xx_and_transport_failures_as_errors():
    summary = runner.summarize([10, 20, 30, 40], [200, 201, 500, "ConnectError"], elapsed_s=2.0)
    assert summary["requests"] == 4
    assert summary["errors"] == 2
    assert summary["statuses"] == {"200": 1, "201": 1, "500": 1, "ConnectError": 1}
    assert summary["throughput_rps"] == 2.0
    assert summary["p50_ms"] == 25.0
    assert summary["max_ms"] == 40


def test_summarize_of_nothing_is_empty_not_an_error():
    summary = runner.summarize([], [], elapsed_s=0)
    assert summary["requests"] == 0 and summary["p95_ms"] is None


def test_only_loopback_is_allowed():
    assert runner.check_loopback("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    with pytest.raises(ValueError):
        runner.check_loopback("http://example.com")


def test_scenario_names_expand():
    assert runner.resolve_scenarios("customers") == list(runner.CUSTOMER_SCENARIOS)
    assert runner.resolve_scenarios("service,detail") == ["queue_page", "tickets_api", "create_case", "detail"]
    assert runner.resolve_scenarios("search,detail") == [*runner.SEARCH_SCENARIOS, "detail"]
    with pytest.raises(ValueError):
        runner.resolve_scenarios("nope")


def test_phone_variants_all_normalise_to_the_stored_number():
    import random

    rng = random.Random(1)
    for _ in range(30):
        assert normalize.phone_normalize(runner.phone_variants("+8613812345678", rng)) == "+8613812345678"


def test_run_calls_times_every_request_and_reports_errors():
    def handler(request):
        assert request.headers["Authorization"] == "Bearer gx_t"
        return httpx.Response(404 if request.url.path.endswith("/9") else 200, json={})

    def client():
        return httpx.Client(base_url="http://127.0.0.1:1", transport=httpx.MockTransport(handler),
                            headers={"Authorization": "Bearer gx_t"})

    calls = [runner.Call("GET", f"/api/v1/customers/{i}") for i in range(10)]
    summary = runner.run_calls("http://127.0.0.1:1", "gx_t", calls, concurrency=3, client_factory=client)
    assert summary["requests"] == 10 and summary["errors"] == 1 and summary["statuses"]["404"] == 1
