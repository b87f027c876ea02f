"""PostgreSQL: a response recorded in one statement, for the SMS and IVR answers arriving by the hundred
per second. The survey's status, the response, its answers, both history rows and the analysis
snapshot's appended cells are written by one INSERT/UPDATE chain (data-modifying CTEs): one round trip
instead of eight, the same rows as the ORM path in `surveys.response_record` (which SQLite takes). The
chain starts from the survey's UPDATE … WHERE status = 'sent', so a survey answered meanwhile writes
nothing at all."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.utils import timezone

from ..analysis import snapshot
from ..enums import SurveyStatus
from ..models import Answer, AnswerCell, RateCell, Survey, SurveyResponse

HISTORY_OWN = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _history(model, source: str, history_type: str) -> str:
    """INSERT of django-simple-history's rows for the rows of CTE `source`."""
    history = model.history.model
    tracked = [f.column for f in history._meta.concrete_fields if f.column not in ("history_id", *HISTORY_OWN)]
    values = [f"{source}.{c}" for c in tracked] + ["%(now)s", "NULL", f"'{history_type}'", "%(user)s"]
    return (f"INSERT INTO {_table(history)} ({', '.join(tracked + list(HISTORY_OWN))}) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"SELECT {', '.join(values)} FROM {source}")


def _segment_sql() -> str:
    from guanxi.segments.models import CustomerValueSnapshot

    return f"(SELECT value_level FROM {_table(CustomerValueSnapshot)} WHERE customer_id = upd.customer_id LIMIT 1)"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters


def record(survey: Survey, rows: list[tuple], *, mode: str, recorded_by, at: dt.datetime) -> SurveyResponse | None:
    """`rows`: (question, raw, score, score_pct) per answer. None when the survey was not open."""
    now = timezone.now()
    user = getattr(recorded_by, "pk", None)
    params = {"survey": survey.pk, "sent": SurveyStatus.SENT, "answered": SurveyStatus.ANSWERED, "at": at,
              "mode": mode, "now": now, "user": user}
    answers, cells = [], []
    for i, (question, raw, score, pct) in enumerate(rows):
        dimension = question.dimension if score is not None else ""
        params.update({f"q{i}": question.pk, f"raw{i}": json.dumps(raw), f"score{i}": score, f"pct{i}": pct,
                       f"dim{i}": dimension, f"type{i}": question.type})
        answers.append(f"(%(q{i})s::bigint, %(raw{i})s::jsonb, %(score{i})s::float8, %(pct{i})s::float8, "
                       f"%(dim{i})s::text)")
        if score is not None and pct is not None and dimension:
            params.update({f"c{i}_{k}": v for k, v in snapshot.cell_sums(score, pct).items()})
            cells.append(f"(%(dim{i})s::text, %(type{i})s::text, %(c{i}_n)s::bigint, %(c{i}_total)s::float8, "
                         f"%(c{i}_total_sq)s::float8, %(c{i}_hits)s::bigint, %(c{i}_promoters)s::bigint, "
                         f"%(c{i}_detractors)s::bigint)")
    survey.mode = mode  # the cuts' channel is the answering mode
    params.update({f"cut_{k}": v for k, v in snapshot.answer_cuts(survey, at=at).items()})
    params["sent_month"] = snapshot.local_month(survey.sent_at)
    cell_sql = ""
    if cells:
        cell_sql = (
            f", cells AS (INSERT INTO {_table(AnswerCell)} (month, dimension, qtype, segment, channel, team_id, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            "case_type, standard, questionnaire_id, n, total, total_sq, hits, promoters, detractors) "
            f"SELECT %(cut_month)s, v.dimension, v.qtype, {_segment_sql()}, %(cut_channel)s, %(cut_team_id)s, "
            "%(cut_case_type)s, %(cut_standard)s, %(cut_questionnaire_id)s, v.n, v.total, v.total_sq, v.hits, "
            f"v.promoters, v.detractors FROM upd CROSS JOIN (VALUES {', '.join(cells)}) "
            "AS v(dimension, qtype, n, total, total_sq, hits, promoters, detractors))")
    sql = (
        f"WITH upd AS (UPDATE {_table(Survey)} SET status = %(answered)s, answered_at = %(at)s, mode = %(mode)s, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        "updated_at = %(now)s WHERE id = %(survey)s AND status = %(sent)s RETURNING *), "
        f"resp AS (INSERT INTO {_table(SurveyResponse)} (created_at, updated_at, survey_id, answered_at, mode, "
        "recorded_by_id) SELECT %(now)s, %(now)s, id, %(at)s, %(mode)s, %(user)s FROM upd RETURNING *), "
        f"survey_history AS ({_history(Survey, 'upd', '~')}), "
        f"response_history AS ({_history(SurveyResponse, 'resp', '+')}), "
        f"answers AS (INSERT INTO {_table(Answer)} (response_id, question_id, raw, score, score_pct, dimension, "
        "answered_at) SELECT resp.id, v.question_id, v.raw, v.score, v.score_pct, v.dimension, %(at)s FROM resp "
        f"CROSS JOIN (VALUES {', '.join(answers)}) AS v(question_id, raw, score, score_pct, dimension))"
        f"{cell_sql}, "
        f"rate AS (INSERT INTO {_table(RateCell)} (month, questionnaire_id, sent, answered) "
        "SELECT %(sent_month)s, %(cut_questionnaire_id)s, 0, 1 FROM upd) "
        "SELECT id FROM resp")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    survey.status, survey.answered_at, survey.updated_at = SurveyStatus.ANSWERED, at, now
    response = SurveyResponse(pk=row[0], survey=survey, answered_at=at, mode=mode, recorded_by=recorded_by,
                              created_at=now, updated_at=now)
    response._state.adding, response._state.db = False, connection.alias
    return response
