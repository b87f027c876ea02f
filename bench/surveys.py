"""Survey engine benchmarks: `guanxi bench survey_sample` (a stratified sample of the existing customers,
after `guanxi bench generate` and `guanxi bench history`) and `guanxi bench survey_drivers` (driver
analysis over generated responses)."""

from __future__ import annotations

import math
import os
import statistics
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.segments.services import contact_profiles_refresh
from guanxi.surveys.analysis import driver_analysis, snapshot
from guanxi.surveys.analysis.synthetic import PLANTED, generate_responses
from guanxi.surveys.sampling import NEYMAN, PROPORTIONAL, SamplingPlan, sampling_frame, stratified_sample
from guanxi.surveys.sampling.frame import LIVE

# A prior for Neyman allocation before any past scores exist: customers who call more often differ
# more in how satisfied they are.
PRIOR_SD = {"never": 0.8, "rarely": 1.0, "often": 1.3, "very_often": 1.6}
TABLES = ("customers_customer", "customers_interaction", "segments_contactprofile")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def table_sizes(tables=TABLES) -> dict:
    if connection.vendor != "postgresql":
        return {}
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def _timed_sample(plan: SamplingPlan, source: str) -> dict:
    started = time.perf_counter()
    frame = sampling_frame(source=source)
    read = time.perf_counter()
    if plan.method == NEYMAN:
        plan = SamplingPlan(size=plan.size, seed=plan.seed, method=NEYMAN, sds=_prior_sds(frame, plan))
    result = stratified_sample(frame, plan)
    done = time.perf_counter()
    return {"seconds": round(done - started, 3), "frame_seconds": round(read - started, 3),
            "draw_seconds": round(done - read, 3), "sampled": len(result.sample), "strata": len(result.strata),
            "load": _load()}


def _prior_sds(frame, plan: SamplingPlan) -> dict[str, float]:
    from guanxi.surveys.sampling import arpu_edges, strata_codes, stratum_name

    edges = arpu_edges(frame["arpu"], edges=plan.arpu_band_edges, quantiles=plan.arpu_quantiles)
    position = plan.dimensions.index("contact_frequency")
    _, values = strata_codes(frame, dimensions=plan.dimensions, edges=edges)
    return {stratum_name(v): PRIOR_SD[v[position]] for v in values}


def _timed_sql_sample(plan: SamplingPlan) -> dict:
    """The same sample drawn in PostgreSQL (counts by GROUP BY, seeded-hash draws), end to end."""
    from guanxi.surveys.sampling.sql import sql_stratified_sample

    started = time.perf_counter()
    if plan.method == NEYMAN:
        plan = SamplingPlan(size=plan.size, seed=plan.seed, method=NEYMAN, sds=_prior_sds_sql(plan))
    result = sql_stratified_sample(plan)
    return {"seconds": round(time.perf_counter() - started, 3), "sampled": len(result.sample),
            "strata": len(result.strata), "load": _load()}


def _prior_sds_sql(plan: SamplingPlan) -> dict[str, float]:
    """The prior spreads by contact frequency, for every stratum name the SQL draw can form."""
    import itertools

    from guanxi.customers.enums import CustomerKind, InteractionChannel
    from guanxi.surveys.sampling import stratum_name

    kinds = CustomerKind.values
    channels = ["none", *InteractionChannel.values]
    bands = [f"A{i + 1}" for i in range(plan.arpu_quantiles)]
    return {stratum_name(v): PRIOR_SD[v[1]] for v in itertools.product(kinds, PRIOR_SD, channels, bands)}


def time_sample(*, size: int = 10_000, seed: int = 7, runs: int = 5, refresh: bool = True, live: bool = False) -> dict:
    """Refresh the contact profiles (timed), then draw the sample `runs` times with each allocation: the
    frame query over customers + profiles and the draw, end to end."""
    result: dict = {"tables_before": table_sizes(), "load_start": _load()}
    if refresh:
        done = contact_profiles_refresh(actor=SYSTEM)
        result["refresh"] = {"rows": done.rows, "seconds": done.seconds, "load": _load()}
    if live:
        result["live_frame"] = _timed_sample(SamplingPlan(size=size, seed=seed), LIVE)
    for method in (PROPORTIONAL, NEYMAN):
        timings = [_timed_sample(SamplingPlan(size=size, seed=seed, method=method), "snapshot") for _ in range(runs)]
        seconds = [t["seconds"] for t in timings]
        result[method] = {"median_seconds": statistics.median(seconds), "max_seconds": max(seconds),
                          "runs": timings}
        if connection.vendor == "postgresql":
            timings = [_timed_sql_sample(SamplingPlan(size=size, seed=seed, method=method)) for _ in range(runs)]
            seconds = [t["seconds"] for t in timings]
            result[f"{method}_sql"] = {"median_seconds": statistics.median(seconds), "max_seconds": max(seconds),
                                       "runs": timings}
    result["tables"] = table_sizes()
    return result


def time_drivers(*, responses: int = 1_000_000, seed: int = 11, runs: int = 3) -> dict:
    """Driver analysis (13 drivers, HC3 errors, LMG shares) over `responses` generated answers with planted
    effects: seconds per run and the planted against the recovered coefficients."""
    frame = generate_responses(responses, seed=seed)
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = driver_analysis(frame, drivers=list(PLANTED))
        seconds.append(round(time.perf_counter() - started, 3))
    return {"responses": responses, "rows_regressed": result.n, "sampled_from": result.sampled_from,
            "seconds": seconds, "median_seconds": statistics.median(seconds), "load": _load(),
            "r2": round(result.r2, 4),
            "drivers": {e.name: {"planted": PLANTED[e.name], "recovered": round(e.coef, 4),
                                 "ci": [round(e.ci_low, 4), round(e.ci_high, 4)], "share": round(e.r2_share, 3)}
                        for e in result.drivers}}


ANALYSIS_TABLES = ("surveys_survey", "surveys_surveyresponse", "surveys_answer")
SNAPSHOT_TABLES = ("surveys_answercell", "surveys_ratecell")


def prepare_analysis(*, responses: int = 1_000_000, seed: int = 11, months: int = 12) -> dict:
    """Load `responses` answered surveys (and half as many unanswered) over the last `months` months
    on the existing customers, with the post-case questionnaire's overall, timeliness, attitude,
    quality, price/value ratings and an NPS answer each, by set-based SQL (PostgreSQL only)."""
    from django.utils import timezone

    from guanxi.surveys.enums import Dimension, QuestionType
    from guanxi.surveys.models import Questionnaire, Survey
    from guanxi.surveys.services.questionnaires import questionnaire_create, version_create, version_publish

    if connection.vendor != "postgresql":
        raise RuntimeError("the survey analysis benchmark needs PostgreSQL")
    if Survey.objects.exists():
        return {"prepared": False, "tables": table_sizes(ANALYSIS_TABLES + SNAPSHOT_TABLES)}
    started = time.perf_counter()
    questions = [{"type": QuestionType.RATING_5, "dimension": d, "text_zh": f"请评价：{d}", "text_en": d}
                 for d in (Dimension.OVERALL, Dimension.TIMELINESS, Dimension.SERVICE_ATTITUDE,
                           Dimension.SERVICE_QUALITY, Dimension.PRICE_VALUE)]
    questions.append({"type": QuestionType.NPS, "dimension": Dimension.OVERALL, "text_zh": "您会推荐我们吗？",
                      "text_en": "Would you recommend us?"})
    questionnaire = Questionnaire.objects.filter(code="bench-analysis").first() or questionnaire_create(
        actor=SYSTEM, code="bench-analysis", name="基准测试问卷")
    version = version_publish(actor=SYSTEM, version=version_create(actor=SYSTEM, questionnaire=questionnaire, data={
        "title_zh": "基准测试", "modes": ["web", "phone"], "questions": questions}))
    q = {question.order: question for question in version.questions.all()}
    now = timezone.now()
    total = responses + responses // 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
        cursor.execute("SELECT MIN(id), MAX(id) FROM customers_customer")
        low, high = cursor.fetchone()
        cursor.execute("""
            INSERT INTO surveys_survey (created_at, updated_at, version_id, customer_id, mode, trigger, status,
                language, token_hash, sent_at, expires_at, answered_at)
            SELECT t, t, %(version)s, %(low)s + (g::bigint * 7919) %% (%(high)s - %(low)s + 1),
                   (ARRAY['web','sms','ivr','phone'])[1 + g %% 4], 'post_case',
                   CASE WHEN g <= %(responses)s THEN 'answered' ELSE 'expired' END, 'zh-hans', '', t,
                   t + interval '14 days', CASE WHEN g <= %(responses)s THEN t + interval '2 hours' END
            FROM (SELECT g, %(now)s - (random() * %(days)s) * interval '1 day' AS t
                  FROM generate_series(1, %(total)s) g) s""",
                       {"version": version.pk, "low": low, "high": high, "responses": responses, "now": now,
                        "days": months * 30.4, "total": total})
        cursor.execute("""
            INSERT INTO surveys_surveyresponse (created_at, updated_at, survey_id, answered_at, mode)
            SELECT answered_at, answered_at, id, answered_at, mode FROM surveys_survey WHERE status = 'answered'""")
        # a latent impression per response drives every rating, overall most by timeliness
        cursor.execute("""
            CREATE TEMP TABLE bench_scores AS
            SELECT r.id AS response_id, r.answered_at, x.t, x.a, x.q, x.p,
                   LEAST(5, GREATEST(1, ROUND(0.5 * x.t + 0.3 * x.a + 0.1 * x.q + 0.1 * x.p
                                              + (random() - 0.5))))::int AS o
            FROM surveys_surveyresponse r, LATERAL (
                SELECT LEAST(5, GREATEST(1, ROUND(3.6 + 1.4 * (i - 0.5) + (random() - 0.5) * 2)))::int AS t,
                       LEAST(5, GREATEST(1, ROUND(3.8 + 1.0 * (i - 0.5) + (random() - 0.5) * 2)))::int AS a,
                       LEAST(5, GREATEST(1, ROUND(3.7 + 1.0 * (i - 0.5) + (random() - 0.5) * 2)))::int AS q,
                       LEAST(5, GREATEST(1, ROUND(3.4 + 0.6 * (i - 0.5) + (random() - 0.5) * 2)))::int AS p
                FROM (SELECT random() + r.id * 0 AS i) latent) x""")
        for order, column, dimension in ((1, "o", "overall"), (2, "t", "timeliness"), (3, "a", "service_attitude"),
                                         (4, "q", "service_quality"), (5, "p", "price_value")):
            cursor.execute(f"""
                INSERT INTO surveys_answer (response_id, question_id, raw, score, score_pct, dimension, answered_at)
                SELECT response_id, %s, to_jsonb({column}), {column}, ({column} - 1) * 25.0, %s, answered_at
                FROM bench_scores""", [q[order].pk, dimension])
        cursor.execute("""
            INSERT INTO surveys_answer (response_id, question_id, raw, score, score_pct, dimension, answered_at)
            SELECT response_id, %s, to_jsonb(v), v, v * 10.0, 'overall', answered_at
            FROM (SELECT response_id, answered_at,
                         LEAST(10, GREATEST(0, ROUND(o * 2 + (random() - 0.5) * 3)))::int AS v FROM bench_scores) s""",
                       [q[6].pk])
        cursor.execute("DROP TABLE bench_scores")
        for table in ANALYSIS_TABLES:
            cursor.execute(f"ANALYZE {table}")
    loaded = time.perf_counter()
    rebuilt = snapshot.rebuild()
    return {"prepared": True, "seconds": round(loaded - started, 1), "load": _load(),
            "snapshot_rebuild": {**rebuilt, "seconds": round(time.perf_counter() - loaded, 1), "load": _load()},
            "tables": table_sizes(ANALYSIS_TABLES + SNAPSHOT_TABLES)}


def time_analysis(*, runs: int = 10) -> dict:
    """The analysis pages' reads in-process, each `runs` times as an analyst (every answer): the monthly
    and quarterly trend, the breakdowns and the response rates over the last twelve months; p95 and
    median per read."""
    import datetime as dt

    from django.utils import timezone

    from guanxi.accounts.enums import Role
    from guanxi.accounts.models import User
    from guanxi.surveys import analysis_selectors as selectors

    until = timezone.now() + dt.timedelta(days=1)
    unaligned = until - dt.timedelta(days=366)  # a window starting inside a month: that month from the answers
    since = timezone.localtime(unaligned).replace(day=1, hour=0, minute=0, second=0, microsecond=0)  # as the page
    analyst = User.objects.filter(role=Role.ANALYST, is_active=True).first() or User.objects.create(
        username="bench-analyst", role=Role.ANALYST)
    reads = {
        "trend_month": lambda u: selectors.trend(user=u, period="month", since=since, until=until),
        "trend_quarter": lambda u: selectors.trend(user=u, period="quarter", since=since, until=until),
        "response_rates": lambda u: selectors.response_rates(user=u, since=since, until=until),
        "by_channel": lambda u: selectors.breakdown(user=u, by="channel", since=since, until=until),
        "by_segment": lambda u: selectors.breakdown(user=u, by="segment", since=since, until=until),
        "trend_month_unaligned": lambda u: selectors.trend(user=u, period="month", since=unaligned, until=until),
    }
    result: dict = {"tables": table_sizes(ANALYSIS_TABLES + SNAPSHOT_TABLES), "load_start": _load()}
    for name, read in reads.items():
        result[name] = _percentiles(lambda read=read: read(analyst), runs)
    result["http"] = time_analysis_http(analyst, runs=runs)
    from django.test import override_settings

    with override_settings(SURVEY_ANALYSIS_SNAPSHOT=False):  # the same read counted over the raw answers
        result["trend_month_raw_answers"] = _percentiles(lambda: reads["trend_month"](analyst), 1)
    return result


def _percentiles(call, runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {"median": round(statistics.median(seconds), 3),
            "p95": round(seconds[min(len(seconds) - 1, math.ceil(0.95 * len(seconds)) - 1)], 3),
            "max": round(seconds[-1], 3), "runs": runs, "load": _load()}


def time_analysis_http(analyst, *, runs: int = 10) -> dict:
    """The analysis page and the analysis API as HTTP requests through the whole Django stack (WSGI
    handler, middleware, session, templates, JSON), as the analyst: p50/p95 per URL."""
    from django.conf import settings
    from django.test import Client

    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")), "localhost")
    client = Client(HTTP_HOST=host)
    client.force_login(analyst)
    urls = {
        "page_analysis": "/surveys/analysis/",
        "page_analysis_quarter_by_channel": "/surveys/analysis/?period=quarter&by=channel",
        "api_trend": "/api/v1/survey-analysis/trend",
        "api_breakdown_segment": "/api/v1/survey-analysis/breakdown?by=segment",
        "api_response_rates": "/api/v1/survey-analysis/response-rates",
        "api_segments": "/api/v1/survey-analysis/segments",
    }
    out = {}
    for name, url in urls.items():
        status = client.get(url).status_code  # warm-up, and the status reported
        out[name] = {**_percentiles(lambda url=url: client.get(url), runs), "status": status}
    return out


def time_wave_launch(*, members: int = 10_000, seed: int = 5) -> dict:
    """Launch a wave of `members` SMS invitations (web link by SMS) on existing customers with a mobile:
    the members are loaded directly (the draw is `survey_sample`'s bench), then `wave_launch` is timed —
    the surveys, their history, link tokens, sent counts and the queued invitations, all set-based, by
    batches (`surveys_written_s`), then the commit and, without a Celery worker, the invitations'
    delivery inline (`commit_and_delivery_s`)."""
    import random

    from django.utils import timezone

    from guanxi.integrations.messaging.models import OutboundMessage
    from guanxi.surveys.enums import Dimension, QuestionType, WaveStatus
    from guanxi.surveys.models import Questionnaire, Survey, SurveyWave, WaveMember
    from guanxi.surveys.services.questionnaires import questionnaire_create, version_create, version_publish
    from guanxi.surveys.services.waves import wave_create, wave_launch

    questionnaire = Questionnaire.objects.filter(code="bench-wave").first()
    if questionnaire is None:
        questionnaire = questionnaire_create(actor=SYSTEM, code="bench-wave", name="半年度满意度（基准）")
        version_publish(actor=SYSTEM, version=version_create(actor=SYSTEM, questionnaire=questionnaire, data={
            "title_zh": "半年度满意度调查", "modes": ["web", "sms"],
            "questions": [{"type": QuestionType.RATING_5, "dimension": Dimension.OVERALL,
                           "text_zh": "您对我们的服务总体满意吗？", "text_en": "Overall satisfaction"}]}))
    version = questionnaire.versions.get(status="published")
    wave = wave_create(actor=SYSTEM, name=f"bench wave {timezone.now():%H%M%S}", version=version, mode="sms",
                       sample_size=members, seed=seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM customers_customer")
        top = cursor.fetchone()[0] or 0
        start = random.Random(seed).randint(0, max(0, top - members * 3))
        cursor.execute("SELECT id FROM customers_customer WHERE id > %s AND mobile <> '' AND deleted_at IS NULL "
                       "ORDER BY id LIMIT %s", [start, members])
        ids = [row[0] for row in cursor.fetchall()]
    WaveMember.objects.bulk_create([WaveMember(wave=wave, customer_id=pk, stratum="bench") for pk in ids],
                                   batch_size=5_000)
    SurveyWave.objects.filter(pk=wave.pk).update(status=WaveStatus.SAMPLED, sampled_at=timezone.now())
    wave.refresh_from_db()
    queued_before = OutboundMessage.objects.count()
    last_message = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load = _load()
    written = []
    started = time.perf_counter()
    wave_launch(actor=SYSTEM, wave=wave,
                progress=lambda done, total: written.append(time.perf_counter()) if done == total else None)
    seconds = time.perf_counter() - started
    return {"members": len(ids), "seconds": round(seconds, 2),
            "surveys_written_s": round(written[0] - started, 2) if written else None,
            "commit_and_delivery_s": round(seconds - (written[0] - started), 2) if written else None,
            "surveys_created": Survey.objects.filter(wave_id=wave.pk).count(),
            "messages_queued": OutboundMessage.objects.count() - queued_before,
            "messages_delivered": OutboundMessage.objects.filter(status="sent", pk__gt=last_message).count(),
        "load_before": load, "load_after": _load(),
        "tables": table_sizes(("customers_customer", "surveys_survey", "messaging_outboundmessage"))}
