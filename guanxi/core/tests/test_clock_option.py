"""The suite can run at another date: `--now` / GUANXI_TEST_NOW moves the clock for the whole session."""

from pathlib import Path

import pytest

import conftest as root_conftest

ROOT_CONFTEST = Path(root_conftest.__file__).read_text(encoding="utf-8")
PROBE = """
import datetime as dt
import time

from django.utils import timezone


def test_the_clock_was_moved():
    now = timezone.now()
    assert dt.datetime(2028, 2, 29, 1, 59, tzinfo=dt.UTC) <= now < dt.datetime(2028, 2, 29, 2, 5, tzinfo=dt.UTC)
    assert timezone.localdate() == dt.date(2028, 2, 29)
    before = time.time()
    time.sleep(0.01)
    assert time.time() > before  # the clock keeps ticking
"""


@pytest.fixture
def probe(pytester, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    monkeypatch.setenv("PYTHONPATH", str(Path(root_conftest.__file__).parent))
    monkeypatch.delenv("GUANXI_TEST_NOW", raising=False)
    pytester.makeconftest(ROOT_CONFTEST)
    pytester.makepyfile(test_probe=PROBE)
    return pytester


def test_the_now_option_moves_the_clock_of_the_whole_session(probe):
    result = probe.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider",
                                        "--now", "2028-02-29T10:00:00+08:00")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["clock moved to 2028-02-29T10:00:00+08:00*"])


def test_the_environment_variable_does_the_same_and_a_date_alone_means_ten_in_the_morning(probe, monkeypatch):
    monkeypatch.setenv("GUANXI_TEST_NOW", "2028-02-29")
    probe.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider").assert_outcomes(passed=1)

