import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import history, runner
from bench.generate import generate
from guanxi.accounts.services import api_token_create
from guanxi.customers.models import Interaction, Transaction


def test_customer_weights_make_most_customers_light_and_a_few_very_heavy():
    weights = history.customer_weights(200_000, seed=3)
    rows = weights * 10_000_000  # expected interactions per customer at the benchmark's size
    assert weights.sum() == pytest.approx(1.0)
    assert 10 <= np.median(rows) <= 60
    assert (rows > 2_000).sum() >= 40 and rows.max() > 10_000


def test_history_scenarios_are_known_to_the_runner():
    assert runner.resolve_scenarios("history") == list(runner.HISTORY_SCENARIOS)
    assert set(runner.HISTORY_SCENARIOS) <= set(runner.ALL_SCENARIOS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the history load uses COPY (PostgreSQL)")
def test_history_load_scatters_skewed_rows_over_three_years_in_time_order(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    generate(customers=400, batch=200, progress=False, processes=0)
    now = timezone.now()
    result = history.generate_history(interactions=20_000, transactions=4_000, batch=5_000, processes=0,
                                      progress=False, now=now)
    assert (result.interactions, result.transactions) == (20_000, 4_000)
    assert Interaction.objects.count() == 20_000 and Transaction.objects.count() == 4_000
    for model in (Interaction, Transaction):
        times = list(model.objects.order_by("id").values_list("occurred_at", flat=True))
        assert times == sorted(times)  # appended in time order, as a live system does
        assert times[-1] <= now and now - times[0] <= dt.timedelta(days=3 * 365 + 1)
    assert not Transaction.objects.filter(amount__lte=0).exists()
    samples = history.history_samples()
    assert samples["heavy_rows"] == sorted(samples["heavy_rows"], reverse=True)
    heaviest = Interaction.objects.filter(customer_id=samples["heavy"][0]).count()
    assert heaviest == samples["heavy_rows"][0] >= 5 * 20_000 / 400
    calls = history.history_calls("customer_page_heavy", 3)
    assert {c.path for c in calls} <= {f"/customers/{i}/" for i in samples["heavy"]}
    agent = history.ensure_staff()["users"][history.BENCH_AGENT]
    _, raw = api_token_create(user=agent, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = client.get(history.history_calls("customer_360_heavy", 1)[0].path).json()
    assert len(body["timeline"]) == 50 and body["timeline_next_cursor"] and body["customer"]["personal_data_masked"]
