"""The value benchmark's repeat-purchase ledger (the pure part; the COPY load needs PostgreSQL)."""

import datetime as dt

import numpy as np
import pytest

from bench import value


def test_simulation_follows_the_bgnbd_story():
    owners, weeks = value._simulate(np.random.default_rng(1), 5000, alpha=10.0, weeks=156.0)
    counts = np.bincount(owners, minlength=5000)
    assert counts.min() >= 1  # everyone has a first purchase; nobody drops out before it
    assert (weeks > 0).all() and (weeks <= 156).all()
    assert counts.max() <= value.MAX_PURCHASES and (counts > 1).mean() > 0.2


def test_calibration_hits_the_average():
    alpha = value.calibrate_alpha(3.0, seed=4, sample=5000)
    owners, _ = value._simulate(np.random.default_rng(9), 20_000, alpha, value.YEARS * 52.18)
    assert len(owners) / 20_000 == pytest.approx(3.0, rel=0.1)


def test_rows_are_a_valid_ledger():
    now = dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
    rows = value._rows(np.random.default_rng(2), np.arange(1, 1001), alpha=10.0, now=now)
    assert set(rows["kind"]) == {"order", "bill", "payment", "refund"}
    assert (rows["amount"] > 0).all() and (rows["occurred_at"] < now).all()
    assert rows["occurred_at"].min() >= now - dt.timedelta(days=value.YEARS * 366)
    bills, payments = (rows["kind"] == "bill").sum(), (rows["kind"] == "payment").sum()
    assert 0.85 * bills < payments <= bills
    assert rows["external_id"].isna().all() and rows["staff_id"].isna().all()
