"""Writes of churn early warning (客户流失预警): train a model, score the customers, route the
at-risk list to their owners as retention tasks."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM
from guanxi.core.copy import copy_text
from guanxi.core.errors import NotFound

from ..models import ChurnModel, ChurnScore
from ..permissions import permissions
from . import model as engine
from .features import FEATURES, LOOKBACK_DAYS, churn_labels, feature_frame

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
HORIZON_DAYS = 90
RETENTION_KIND = "follow_up"


def _quiet(label: str, done: int, total: int) -> None:
    return None


def _next_version() -> int:
    last = ChurnModel.objects.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def churn_training_data(*, cutoff: dt.datetime, horizon_days: int = HORIZON_DAYS) -> tuple[pd.DataFrame, np.ndarray]:
    """The features of the customers active before `cutoff` and whether each churned after it."""
    frame = feature_frame(cutoff=cutoff)
    frame = frame[frame.pop("is_active")]
    labels = churn_labels(cutoff=cutoff, horizon_days=horizon_days, customer_ids=frame.index.to_numpy())
    return frame[list(FEATURES)], labels


@transaction.atomic
def churn_model_train(
    *, actor=SYSTEM, cutoff: dt.datetime | None = None, horizon_days: int = HORIZON_DAYS, seed: int = 0,
    params: dict | None = None, min_churners: int = engine.MIN_CHURNERS, data=None, progress: Progress | None = None,
) -> ChurnModel:
    """Train a model on the customers active before `cutoff` (default: `horizon_days` ago, so that
    every label is known) and make it the active one. With too few churners the new model is
    stored as REFUSED with the reason and the active model stays in use. `data` (features, labels)
    skips the SQL (the benchmark's generated million). Takes no lock: a training only inserts."""
    permissions.require(actor, "churn_model", "write")
    progress = progress or _quiet
    now = timezone.now()
    cutoff = cutoff or now - dt.timedelta(days=horizon_days)
    progress("features", 0, 3)
    x, y = data if data is not None else churn_training_data(cutoff=cutoff, horizon_days=horizon_days)
    progress("fit", 1, 3)
    row = ChurnModel(version=_next_version(), trained_at=now, cutoff=cutoff, horizon_days=horizon_days,
                     data_from=(cutoff - dt.timedelta(days=LOOKBACK_DAYS)).date(),
                     data_to=(cutoff + dt.timedelta(days=horizon_days)).date(), seed=seed,
                     params={**engine.DEFAULT_PARAMS, **(params or {})}, features=list(x.columns),
                     rows=len(y), churners=int(y.sum()))
    try:
        fitted = engine.fit(x, y, seed=seed, params=params, min_churners=min_churners)
    except engine.TooFewChurners as exc:
        row.status = ChurnModel.Status.REFUSED
        row.reason = _("Too few churners to train on: %(churners)d among %(rows)d customers, at least "
                       "%(needed)d needed. The model in use is kept.") % {
            "churners": exc.churners, "rows": len(y), "needed": exc.needed}
        row.save()
        logger.warning("churn model v%s refused: %s", row.version, row.reason)
        return row
    progress("save", 2, 3)
    ChurnModel.objects.filter(status=ChurnModel.Status.ACTIVE).update(status=ChurnModel.Status.RETIRED)
    row.status = ChurnModel.Status.ACTIVE
    row.booster, row.calibration, row.metrics = fitted.booster_text, fitted.calibration, fitted.metrics
    row.save()
    progress("done", 3, 3)
    return row


_SCORE_COLUMNS = ("customer_id", "model_id", "model_version", "data_from", "data_to", "params", "probability",
                  "decile", "reasons", "scored_at")


def _write_scores(active: ChurnModel, frame: pd.DataFrame, probability, reasons, strength, now) -> None:
    """Replace every score: on PostgreSQL TRUNCATE and COPY, elsewhere DELETE and bulk inserts."""
    features = active.features
    order = np.argsort(-probability, kind="stable")
    decile = np.empty(len(probability), dtype="int64")
    decile[order] = np.arange(len(probability)) * 10 // max(len(probability), 1) + 1
    values = frame.to_numpy(dtype="float64")
    ids = frame.index.to_numpy()
    rows = []
    for i in range(len(ids)):
        top = []
        for j in range(reasons.shape[1]):
            k = int(reasons[i, j])
            if k >= 0:
                value = values[i, k]
                top.append({"feature": features[k], "value": None if np.isnan(value) else round(float(value), 2),
                            "contribution": round(float(strength[i, j]), 4)})
        rows.append((int(ids[i]), round(float(probability[i]), 5), int(decile[i]), top))
    if connection.vendor == "postgresql":
        params = json.dumps(active.params)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE analytics_churnscore")
            with cursor.cursor.copy(f"COPY analytics_churnscore ({', '.join(_SCORE_COLUMNS)}) FROM STDIN") as copy:
                for start in range(0, len(rows), 50_000):
                    copy.write(copy_text([
                        (cid, active.pk, active.version, str(active.data_from), str(active.data_to), params, p, d,
                         json.dumps(top, ensure_ascii=False), now.isoformat())
                        for cid, p, d, top in rows[start:start + 50_000]]))
        return
    ChurnScore.objects.all().delete()
    common = dict(model_id=active.pk, model_version=active.version, data_from=active.data_from,
                  data_to=active.data_to, params=active.params, scored_at=now)
    ChurnScore.objects.bulk_create((ChurnScore(customer_id=cid, probability=p, decile=d, reasons=top, **common)
                                    for cid, p, d, top in rows), batch_size=2000)


@transaction.atomic
def churn_scores_refresh(*, actor=SYSTEM, as_of: dt.datetime | None = None, data: pd.DataFrame | None = None,
                         progress: Progress | None = None) -> int:
    """Score every live customer active in the last 180 days with the active model: the calibrated
    probability of churning within its horizon, the risk decile and the top three reasons, each
    row stamped with the model's version, training data range and parameters. Replaces the
    previous scores; NotFound when no model has been trained."""
    permissions.require(actor, "churn_model", "write")
    progress = progress or _quiet
    active = ChurnModel.objects.filter(status=ChurnModel.Status.ACTIVE).order_by("-version").first()
    if active is None:
        raise NotFound(_("No churn model has been trained yet."))
    now = timezone.now()
    if data is None:
        progress("features", 0, 3)
        frame = feature_frame(cutoff=as_of or now)
        frame = frame[frame.pop("is_active")]
    else:
        frame = data
    frame = frame[active.features]
    progress("score", 1, 3)
    probability, reasons, strength = engine.predict(engine.load(active.booster), frame, active.calibration)
    progress("save", 2, 3)
    _write_scores(active, frame, probability, reasons, strength, now)
    progress("done", 3, 3)
    return len(frame)


@transaction.atomic
def churn_retention_tasks_create(*, actor=SYSTEM, top_deciles: int = 1, now: dt.datetime | None = None) -> int:
    """The weekly at-risk list: a retention task for the owner of every customer in the riskiest
    `top_deciles` tenths, unless the customer has an open task from an earlier list. One insert
    (tasks' `task_create_many`); returns how many tasks were made."""
    from guanxi.accounts.models import User
    from guanxi.tasks.models import Task
    from guanxi.tasks.services import task_create_many

    permissions.require(actor, "churn_model", "write")
    now = now or timezone.now()
    open_ones = Task.objects.filter(source_url__startswith="/analytics/churn/", status="open").values("customer_id")
    rows = list(ChurnScore.objects.filter(decile__lte=top_deciles, customer__owner__isnull=False,
                                          customer__owner__is_active=True, customer__deleted_at__isnull=True)
                .exclude(customer_id__in=open_ones)
                .values_list("customer_id", "customer__owner_id", "probability", "customer__code"))
    owners = User.objects.in_bulk({owner for _c, owner, _p, _code in rows})
    items = [{"subject": _("Churn risk %(p)d%%: contact customer %(code)s to retain them") % {
        "p": round(p * 100), "code": code}, "due_at": now + dt.timedelta(days=7), "assignee": owners[owner],
        "customer_id": cid, "source_label": _("Churn early warning"),
        "source_url": f"/analytics/churn/customers/{cid}/"}
        for cid, owner, p, code in rows]
    if items:
        task_create_many(actor=SYSTEM, kind=RETENTION_KIND, items=items)
    return len(items)
