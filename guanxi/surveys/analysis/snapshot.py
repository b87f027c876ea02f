"""The monthly snapshot the analysis pages read (`AnswerCell`, `RateCell`): counts, sums and sums of
squares per month × dimension × question type × the analysis cuts, and surveys sent / answered per month.

Maintenance is incremental **in the answering transaction**, by appending: `_record` adds one row per
scored answer (one multi-row INSERT) and one answered row, `_create` one sent row. Appending instead of
updating a counter row means concurrent answers never lock the same row (a hot "this month, overall"
counter would serialise every answer), and because the rows are written in the same transaction as the
answers a figure can never count an answer that rolled back nor miss one that committed — no watermark,
no lag. `compact()` (the `surveys.analysis_compact` Celery task, every ten minutes) folds the rows of each
key into one so that the table stays at a few rows per key; reads sum a key's rows, so they are exact
before and after. `rebuild()` (`manage.py surveys_analysis_rebuild`) recomputes everything from the raw
answers, e.g. after the value segments were recomputed (an answer keeps the segment its customer had when
it was recorded or last rebuilt).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..enums import SurveyStatus
from ..models import Answer, AnswerCell, RateCell, Survey

SATISFIED_PCT = 75.0
KEY = ("month", "dimension", "qtype", "segment", "channel", "team_id", "case_type", "standard", "questionnaire_id")
SUMS = ("n", "total", "total_sq", "hits", "promoters", "detractors")
RATE_KEY = ("month", "questionnaire_id")
RATE_SUMS = ("sent", "answered")


def local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _segment(customer_id: int) -> str | None:
    from guanxi.segments.models import CustomerValueSnapshot

    return CustomerValueSnapshot.objects.filter(customer_id=customer_id).values_list("value_level", flat=True).first()


def answer_cuts(survey: Survey, *, at: dt.datetime) -> dict:
    """The analysis cuts of an answer to `survey` at `at`, but the segment (see `_segment`)."""
    ticket = survey.ticket
    return {
        "month": local_month(at),
        "channel": survey.mode,
        "team_id": ticket.team_id if ticket else None,
        "case_type": ticket.type if ticket else None,
        "standard": ticket.customer_tier if ticket else None,
        "questionnaire_id": survey.version.questionnaire_id,
    }


def cell_sums(score: float, pct: float) -> dict:
    """The additive sums one scored answer contributes to its cell."""
    return {"n": 1, "total": pct, "total_sq": pct * pct, "hits": int(pct >= SATISFIED_PCT),
            "promoters": int(score >= 9), "detractors": int(score <= 6)}


def record_answers(survey: Survey, answers: list[Answer], *, at: dt.datetime) -> None:
    """The snapshot rows of one response (its stored `answers`, each with its question), in the caller's
    transaction; `survey` carries the answering mode already."""
    cuts = {**answer_cuts(survey, at=at), "segment": _segment(survey.customer_id)}
    rows = []
    for answer in answers:
        pct, score = answer.score_pct, answer.score
        if pct is None or score is None or not answer.dimension:
            continue
        rows.append(AnswerCell(**cuts, dimension=answer.dimension, qtype=answer.question.type,
                               **cell_sums(score, pct)))
    AnswerCell.objects.bulk_create(rows)
    RateCell.objects.create(month=local_month(survey.sent_at), questionnaire_id=cuts["questionnaire_id"], answered=1)


def record_sent(survey: Survey) -> None:
    RateCell.objects.create(month=local_month(survey.sent_at), questionnaire_id=survey.version.questionnaire_id,
                            sent=1)


def record_sent_bulk(surveys) -> None:
    """Sent rows for many surveys at once, one row per month and questionnaire."""
    counts: dict[tuple, int] = {}
    for survey in surveys:
        key = (local_month(survey.sent_at), survey.version.questionnaire_id)
        counts[key] = counts.get(key, 0) + 1
    RateCell.objects.bulk_create([RateCell(month=m, questionnaire_id=q, sent=n) for (m, q), n in counts.items()])


# ---------------------------------------------------------------- compaction and rebuild


def _fold(model, key: tuple, sums: tuple) -> int:
    """Fold the rows of each key into one; returns the rows removed."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        # One statement: the rows folded are exactly the rows deleted (rows committed meanwhile stay).
        keys, totals = ", ".join(key), ", ".join(f"SUM({s})" for s in sums)
        with connection.cursor() as cursor:
            cursor.execute(f"""
                WITH gone AS (DELETE FROM {table} RETURNING *),
                     folded AS (INSERT INTO {table} ({keys}, {", ".join(sums)})
                                SELECT {keys}, {totals} FROM gone GROUP BY {keys} RETURNING 1)
                SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM folded)""")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            return cursor.fetchone()[0]
    with transaction.atomic():  # SQLite: one writer at a time
        rows = list(model.objects.values(*key).annotate(**{f"sum_{s}": Sum(s) for s in sums}).order_by())
        before = model.objects.count()
        model.objects.all().delete()
        model.objects.bulk_create([model(**{k: r[k] for k in key}, **{s: r[f"sum_{s}"] for s in sums})
                                   for r in rows], batch_size=2000)
        return before - len(rows)


def compact() -> dict:
    return {"answer_rows_folded": _fold(AnswerCell, KEY, SUMS), "rate_rows_folded": _fold(RateCell, RATE_KEY,
                                                                                           RATE_SUMS)}


@transaction.atomic
def rebuild() -> dict:
    """Recompute both tables from the surveys and answers. On PostgreSQL the tables are locked for the
    duration (answers arriving meanwhile wait, then append to the rebuilt tables)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AnswerCell._meta.db_table}, {RateCell._meta.db_table} IN EXCLUSIVE MODE")
    AnswerCell.objects.all().delete()
    RateCell.objects.all().delete()
    survey = "response__survey__"
    answers = (
        Answer.objects.filter(score_pct__isnull=False)
        .exclude(dimension="")
        .annotate(
            month=TruncMonth("answered_at"),
            qtype=F("question__type"),
            segment=F(f"{survey}customer__value_snapshot__value_level"),
            channel=F(f"{survey}mode"),
            team=F(f"{survey}ticket__team_id"),
            case_type=F(f"{survey}ticket__type"),
            standard=F(f"{survey}ticket__customer_tier"),
            questionnaire=F("question__version__questionnaire_id"),
        )
        .values("month", "dimension", "qtype", "segment", "channel", "team", "case_type", "standard",
                "questionnaire")
        .annotate(
            n_=Count("id"),
            total_=Sum("score_pct"),
            total_sq_=Sum(F("score_pct") * F("score_pct")),
            hits_=Count("id", filter=Q(score_pct__gte=SATISFIED_PCT)),
            promoters_=Count("id", filter=Q(score__gte=9)),
            detractors_=Count("id", filter=Q(score__lte=6)),
        )
        .order_by()
    )
    cells = [
        AnswerCell(month=local_month(r["month"]), dimension=r["dimension"], qtype=r["qtype"], segment=r["segment"],
                   channel=r["channel"], team_id=r["team"], case_type=r["case_type"], standard=r["standard"],
                   questionnaire_id=r["questionnaire"], n=r["n_"], total=r["total_"] or 0.0,
                   total_sq=r["total_sq_"] or 0.0, hits=r["hits_"], promoters=r["promoters_"],
                   detractors=r["detractors_"])
        for r in answers.iterator(chunk_size=5000)
    ]
    AnswerCell.objects.bulk_create(cells, batch_size=5000)
    rates = (
        Survey.objects.annotate(month=TruncMonth("sent_at"), questionnaire=F("version__questionnaire_id"))
        .values("month", "questionnaire")
        .annotate(sent_=Count("id"), answered_=Count("id", filter=Q(status=SurveyStatus.ANSWERED)))
        .order_by()
    )
    rate_cells = [RateCell(month=local_month(r["month"]), questionnaire_id=r["questionnaire"], sent=r["sent_"],
                           answered=r["answered_"]) for r in rates]
    RateCell.objects.bulk_create(rate_cells, batch_size=5000)
    return {"answer_cells": len(cells), "rate_cells": len(rate_cells)}
