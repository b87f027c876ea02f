"""`make run` serves while the demo company loads in the background; the sign-in page says so."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse

from guanxi.core.demo_status import demo_status_read, demo_status_write, status_path

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_the_sign_in_page_shows_a_load_in_progress_and_waits_for_it(client):
    demo_status_write(state="loading", step="guanxi.servicedesk.demo.tickets", done=5, total=8)
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'id="gx-demo-status"' in page and "（第 5/8 步：客服中心）" in page and "servicedesk" not in page
    assert 'http-equiv="refresh"' in page
    assert 'id="gx-login-submit" disabled' in page


def test_a_load_whose_process_is_gone_counts_as_none(client):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    demo_status_write(state="loading", step="customers", total=8, pid=int(gone.stdout))
    assert demo_status_read() is None
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'id="gx-demo-status"' not in page and 'id="gx-login-submit" disabled' not in page


def test_a_failed_load_is_shown(client):
    demo_status_write(state="failed", error="disk full")
    page = client.get(reverse("accounts:login")).content.decode()
    assert "disk full" in page and 'id="gx-login-submit" disabled' not in page


def test_the_loading_process_reports_each_step_and_the_end(monkeypatch):
    import functools

    from guanxi.core import demo
    from guanxi.customers.demo import history as demo_history

    seen = []
    real = demo_history.interactions_demo_load

    @functools.wraps(real)
    def watched(**kwargs):
        seen.append(json.loads(status_path().read_text(encoding="utf-8")))
        return real(**kwargs)

    monkeypatch.setattr(demo, "DEMO_STEPS", [watched])
    call_command("demo", "--customers", "10", "--report-status", stdout=io.StringIO())
    assert seen[0]["state"] == "loading" and seen[0]["step"] == "guanxi.customers.demo.history" and seen[0]["done"] == 1
    assert json.loads(status_path().read_text(encoding="utf-8"))["state"] == "done"
    assert demo_status_read() is None
