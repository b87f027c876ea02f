"""Writes of the data-mining workbench (数据挖掘工作台): queue an analysis (a Celery task runs it, inline
without Redis), run it, and save part of its result as a segment through the segments app."""

from __future__ import annotations

import datetime as dt
import io
import logging

import numpy as np
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.catalog.models import Category
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.locks import runner_lock
from guanxi.customers.selectors import customer_visible_to
from guanxi.segments.models import Segment
from guanxi.segments.services import segment_create

from ..models import MiningAnalysis, MiningPrediction, MiningSelection
from ..permissions import permissions
from . import data as mining_data
from . import engine
from .catalogue import DEFAULT_PARAMS, FEATURE_LABELS, LIMITS, SUPERVISED, TARGETS

logger = logging.getLogger(__name__)
FIELDS = ("name", "kind", "target", "target_option", "features", "params")
MAX_TOP = 100_000


def _text(value, limit: int) -> str | None:
    text = str(value or "").strip()
    if not text or len(text) > limit or any(ord(c) < 32 for c in text) or "<" in text or ">" in text:
        return None
    return text


def _number(name: str, value, errors: dict):
    low, high = LIMITS[name]
    kind = float if isinstance(low, float) else int
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors[f"params.{name}"] = gettext_noop("a number")
        return None
    try:
        number = kind(value)
    except ValueError:
        errors[f"params.{name}"] = gettext_noop("a number")
        return None
    if not low <= number <= high:
        errors[f"params.{name}"] = _("between %(low)s and %(high)s") % {"low": low, "high": high}
    return number


def _clean(data: dict) -> dict:
    """The analysis' fields, checked against the catalogue; ValidationFailed names each bad one."""
    errors: dict[str, str] = {name: "unknown field" for name in set(data) - set(FIELDS)}
    name = _text(data.get("name"), 100)
    if name is None:
        errors["name"] = gettext_noop("required, at most 100 characters, no markup")
    kind = data.get("kind")
    if kind not in MiningAnalysis.Kind.values:
        errors["kind"] = _("one of: %(values)s") % {"values": ", ".join(MiningAnalysis.Kind.values)}
    target_name, option = str(data.get("target") or ""), str(data.get("target_option") or "").strip()
    target = TARGETS.get(target_name)
    if kind in SUPERVISED:
        if target is None:
            errors["target"] = _("one of: %(values)s") % {"values": ", ".join(TARGETS)}
        elif kind not in target.kinds:
            errors["target"] = _("this target suits: %(values)s") % {"values": ", ".join(target.kinds)}
        elif target.option == "category" and not Category.objects.filter(code=option).exists():
            errors["target_option"] = gettext_noop("the code of a product category")
    elif kind == "clustering":
        target_name, option = "", ""
    features = data.get("features") or list(FEATURE_LABELS)
    if not isinstance(features, list) or not all(isinstance(f, str) and f in FEATURE_LABELS for f in features):
        errors["features"] = _("a list of: %(values)s") % {"values": ", ".join(FEATURE_LABELS)}
        features = []
    raw = data.get("params") or {}
    params = dict(DEFAULT_PARAMS)
    if not isinstance(raw, dict):
        errors["params"] = gettext_noop("an object")
        raw = {}
    for key, value in raw.items():
        if key not in LIMITS:
            errors[f"params.{key}"] = "unknown field"
        else:
            params[key] = _number(key, value, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    ordered = [f for f in FEATURE_LABELS if f in set(features)]
    return {"name": name, "kind": kind, "target": target_name, "target_option": option if target and target.option
            else "", "features": ordered, "params": params}


@transaction.atomic
def mining_analysis_create(*, actor, data: dict, enqueue: bool = True) -> MiningAnalysis:
    """Queue an analysis (analysts); the task runs once the transaction commits (`enqueue=False`: the
    caller runs it, as the benchmark does with generated data). Nothing is stored when the input is
    not valid."""
    permissions.require(actor, "mining", "write")
    analysis = MiningAnalysis.objects.create(owner=user_of(actor), created_at=timezone.now(), **_clean(data))
    if enqueue:
        from .tasks import run_mining_analysis

        transaction.on_commit(lambda: run_mining_analysis.delay(analysis.pk))
    return analysis


def mining_analysis_run(*, analysis_id: int, data=None, threads: int = 1) -> MiningAnalysis:
    """Train and apply a queued analysis over the customers its owner may read. `data` (training
    features, target, features to apply to) skips the SQL (the benchmark's generated million). A
    failure is recorded with its reason (too few customers or of one class, a lost right) and
    nothing of the result is kept; the status is visible while it runs."""
    # The runner's lock tells a live run from one whose worker was killed: that one is "running" with
    # nobody holding its lock, and its redelivered task runs it again (its results were one transaction).
    with runner_lock(f"analytics.mining_analysis:{analysis_id}") as free:
        if not free:
            return MiningAnalysis.objects.get(pk=analysis_id)
        with transaction.atomic():
            analysis = MiningAnalysis.objects.select_for_update().get(pk=analysis_id)
            if analysis.status not in (MiningAnalysis.Status.QUEUED, MiningAnalysis.Status.RUNNING) or (
                    analysis.status == MiningAnalysis.Status.RUNNING and connection.vendor != "postgresql"):
                return analysis
            analysis.status, analysis.started_at = MiningAnalysis.Status.RUNNING, timezone.now()
            analysis.save(update_fields=["status", "started_at"])
        return _analysis_run(analysis, data, threads)


def _analysis_run(analysis: MiningAnalysis, data, threads: int) -> MiningAnalysis:
    owner = analysis.owner or SYSTEM
    try:
        with transaction.atomic():
            permissions.require(owner, "mining", "write")
            _run(analysis, owner, data, threads)
            analysis.status = MiningAnalysis.Status.DONE
            analysis.finished_at = timezone.now()
            analysis.save()
    except (engine.NotEnoughData, ValidationFailed, Conflict, PermissionDenied) as exc:
        _fail(analysis, _("Not enough data to learn from: %(reason)s.") % {"reason": _(exc.message) % exc.numbers}
              if isinstance(exc, engine.NotEnoughData) else str(exc))
    except Exception as exc:  # recorded and logged: the page shows it, the caller's request goes on
        logger.exception("mining analysis %s failed", analysis.pk)
        _fail(analysis, repr(exc)[:2000])
    return analysis


def _fail(analysis: MiningAnalysis, reason: str) -> None:
    analysis.status, analysis.error, analysis.finished_at = MiningAnalysis.Status.FAILED, reason, timezone.now()
    analysis.metrics, analysis.reasons, analysis.rows, analysis.scored = {}, {}, 0, 0
    analysis.save()


def _run(analysis: MiningAnalysis, owner, data, threads: int) -> None:
    params, now = analysis.params, timezone.now()
    ids = None if data is not None else mining_data.scope_ids(owner)
    if analysis.kind == MiningAnalysis.Kind.CLUSTERING:
        x = data[2] if data is not None else mining_data.current_features(now=now, ids=ids)
        x = x[analysis.features]
        score, labels, metrics, reasons = engine.cluster(x, k=int(params["clusters"]), seed=int(params["seed"]))
        analysis.rows = len(x)
    else:
        if data is not None:
            x, y, current = data
        else:
            x, y = mining_data.training_data(target=analysis.target, option=analysis.target_option, now=now,
                                             horizon_days=int(params["horizon_days"]), ids=ids)
            current = mining_data.current_features(now=now, ids=ids)
        binary = TARGETS[analysis.target].type == "binary"
        trained = engine.train(x[analysis.features], np.asarray(y), binary=binary, seed=int(params["seed"]),
                               holdout=float(params["holdout"]), threads=threads)
        x = current[analysis.features]
        score, labels = engine.apply(trained, x, threads=threads)
        if analysis.kind == MiningAnalysis.Kind.RANKING:
            labels = engine.deciles(score)
        metrics, reasons = trained.metrics, trained.reasons
        metrics["cutoff"] = (now - dt.timedelta(days=int(params["horizon_days"]))).isoformat()
        analysis.rows = metrics["train_rows"] + metrics["holdout_rows"]
    metrics["label_counts"] = {str(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True), strict=True)}
    analysis.metrics, analysis.reasons = metrics, reasons
    analysis.scored = _write_predictions(analysis, x.index.to_numpy(dtype="int64"), score, labels)


def _write_predictions(analysis: MiningAnalysis, ids: np.ndarray, score: np.ndarray, labels: np.ndarray) -> int:
    """Every scored customer's score, label and rank (1 = highest score; ties by customer id):
    COPY on PostgreSQL (the text written by pyarrow, column-wise: twice as fast as row tuples
    for a million), bulk inserts elsewhere."""
    order = np.lexsort((ids, -score))
    rank = np.empty(len(ids), dtype="int64")
    rank[order] = np.arange(1, len(ids) + 1)
    MiningPrediction.objects.filter(analysis=analysis).delete()
    if connection.vendor == "postgresql":
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        table = pa.table({"analysis_id": np.full(len(ids), analysis.pk, dtype="int64"), "customer_id": ids,
                          "score": np.round(score, 6), "label": labels.astype("int64"), "rank": rank})
        text = io.BytesIO()
        pa_csv.write_csv(table, text, pa_csv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"))
        with connection.cursor() as cursor, cursor.cursor.copy(
                "COPY analytics_miningprediction (analysis_id, customer_id, score, label, rank) FROM STDIN") as copy:
            copy.write(text.getbuffer())
        return len(ids)
    rows = [(analysis.pk, int(ids[i]), round(float(score[i]), 6), int(labels[i]), int(rank[i]))
            for i in range(len(ids))]
    MiningPrediction.objects.bulk_create(
        (MiningPrediction(analysis_id=a, customer_id=c, score=s, label=lab, rank=r) for a, c, s, lab, r in rows),
        batch_size=2000)
    return len(rows)


@transaction.atomic
def mining_segment_save(*, actor, analysis: MiningAnalysis, kind: str, value: int, name: str) -> Segment:
    """Save the top `value` customers by score (kind "top") or those of one cluster or predicted
    class (kind "label") as a segment owned by `actor`: the members (those `actor` may read) are
    frozen in a selection, and the segment's rule reads the selection. Needs the right to run
    analyses and to create segments."""
    permissions.require(actor, "mining", "write")
    if analysis.status != MiningAnalysis.Status.DONE:
        raise Conflict(_("The analysis has no result yet."), code="analysis_not_done")
    errors = {}
    if kind not in MiningSelection.Kind.values:
        errors["kind"] = _("one of: %(values)s") % {"values": ", ".join(MiningSelection.Kind.values)}
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TOP:
        errors["value"] = _("between %(low)s and %(high)s") % {"low": 1, "high": MAX_TOP}
    elif kind == "label" and str(value) not in analysis.metrics.get("label_counts", {}):
        errors["value"] = gettext_noop("no customer has this class or cluster")
    if errors:
        raise ValidationFailed(fields=errors)
    selection = MiningSelection.objects.create(analysis=analysis, kind=kind, value=value,
                                               created_by=user_of(actor), created_at=timezone.now())
    chosen = MiningPrediction.objects.filter(analysis=analysis, customer__deleted_at__isnull=True)
    chosen = chosen.filter(rank__lte=value) if kind == "top" else chosen.filter(label=value)
    if user_of(actor) is not None and mining_data.scope_ids(actor) is not None:
        chosen = chosen.filter(customer__in=customer_visible_to(user=actor))
    sql, params = chosen.values_list(Value(selection.pk), "customer_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO analytics_miningselectionmember (selection_id, customer_id) {sql}", params)
        selection.members = cursor.rowcount
    what = (_("top %(n)d by score") % {"n": value} if kind == "top"
            else _("cluster or class %(n)d") % {"n": value})
    segment = segment_create(actor=actor, data={
        "name": name, "is_shared": False,
        "description": _("From the data-mining analysis “%(name)s” (#%(id)d): %(what)s, %(n)d customers.") % {
            "name": analysis.name, "id": analysis.pk, "what": what, "n": selection.members},
        "definition": {"match": "all", "rules": [{"field": "mining_selection", "op": "eq", "value": selection.pk}]}})
    selection.segment = segment
    selection.save(update_fields=["members", "segment"])
    return segment
