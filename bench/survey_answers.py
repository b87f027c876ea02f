"""`guanxi bench survey_answers`: SMS survey answers fired over HTTP at the signed inbound-SMS hook of a
running server (`guanxi serve`, PostgreSQL). Every survey gets its reply once; a share of them gets the
same reply again at the same moment (a provider retrying, with the same message id), so that each survey
must be counted once. The hook only stores replies in the inbox; the server applies them beside the
requests. Reports replies accepted/s at the hook, then waits for the inbox to be applied (the backlog's
time, answers applied/s from the first request to the last applied row) and counts from the database
lost answers and duplicates."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import random
import threading
import time
from collections import Counter

from django.db import connection
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.integrations.messaging.enums import InboundStatus
from guanxi.integrations.messaging.inbound import sms_inbound_signature
from guanxi.integrations.messaging.models import InboundSms
from guanxi.surveys.enums import Dimension, QuestionType, SurveyMode, SurveyStatus, SurveyTrigger
from guanxi.surveys.models import Answer, Questionnaire, Survey, SurveyResponse
from guanxi.surveys.services.questionnaires import questionnaire_create, version_create, version_publish

CODE = "bench-sms"


def _version():
    questionnaire = Questionnaire.objects.filter(code=CODE).first()
    if questionnaire is None:
        questionnaire = questionnaire_create(actor=SYSTEM, code=CODE, name="短信满意度（基准）")
        version = version_create(
            actor=SYSTEM,
            questionnaire=questionnaire,
            data={
                "title_zh": "短信满意度调查",
                "title_en": "SMS survey",
                "modes": ["sms", "ivr"],
                "questions": [
                    {
                        "type": QuestionType.RATING_5,
                        "dimension": Dimension.OVERALL,
                        "text_zh": "您对本次服务总体满意吗？",
                        "text_en": "Overall, how satisfied are you?",
                    }
                ],
            },
        )
        return version_publish(actor=SYSTEM, version=version)
    return questionnaire.versions.get(status="published")


def prepare(*, surveys: int, seed: int) -> dict:
    """`surveys` open SMS surveys for customers with distinct mobiles (earlier bench surveys expired)."""
    version = _version()
    Survey.objects.filter(version=version, status=SurveyStatus.SENT).update(status=SurveyStatus.EXPIRED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM customers_customer")
        top = cursor.fetchone()[0] or 0
        start = random.Random(seed).randint(0, max(0, top - surveys * 3))
        # Mobiles held by exactly one live customer, from a seeded starting point.
        cursor.execute(
            "SELECT min(id), mobile FROM customers_customer WHERE id > %s AND mobile <> '' AND deleted_at IS NULL "
            "GROUP BY mobile HAVING count(*) = 1 ORDER BY min(id) LIMIT %s",
            [start, surveys],
        )
        rows = cursor.fetchall()
    now = timezone.now()
    created = Survey.objects.bulk_create(
        [
            Survey(
                version=version,
                customer_id=cid,
                mode=SurveyMode.SMS,
                trigger=SurveyTrigger.MANUAL,
                sent_at=now,
                expires_at=now + dt.timedelta(days=14),
            )
            for cid, _mobile in rows
        ],
        batch_size=5_000,
    )
    return {"version_id": version.pk, "survey_ids": [s.pk for s in created], "phones": [m for _c, m in rows]}


def fire(*, base_url: str, secret: str, phones: list[str], duplicate_share: float, concurrency: int, seed: int) -> dict:
    """Each phone replies "5"; `duplicate_share` of them reply twice back to back (two threads race)."""
    import httpx

    rng = random.Random(seed)
    calls = []
    for number, phone in enumerate(phones):
        message_id = f"bench-{seed}-{time.time_ns()}-{number}"
        calls.append((phone, message_id))
        if rng.random() < duplicate_share:
            calls.append((phone, message_id))
    work: queue.Queue = queue.Queue()
    for call in calls:
        work.put(call)
    outcomes, statuses, lock = Counter(), Counter(), threading.Lock()

    def worker():
        with httpx.Client(base_url=base_url, trust_env=False, timeout=30.0) as client:
            while True:
                try:
                    phone, message_id = work.get_nowait()
                except queue.Empty:
                    return
                body = json.dumps({"phone": phone, "text": "5", "message_id": message_id}).encode()
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Guanxi-Timestamp": stamp,
                    "X-Guanxi-Signature": "sha256=" + sms_inbound_signature(secret=secret, timestamp=stamp, body=body),
                }
                try:
                    response = client.post("/api/v1/sms/inbound", content=body, headers=headers)
                    status, outcome = (
                        response.status_code,
                        (response.json().get("outcome") if response.status_code == 200 else ""),
                    )
                except httpx.HTTPError as exc:
                    status, outcome = type(exc).__name__, ""
                with lock:
                    statuses[str(status)] += 1
                    outcomes[outcome or "error"] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(calls),
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(len(calls) / elapsed, 1),
        "accepted_per_s": round(outcomes["queued"] / elapsed, 1),
        "started": started,
        "statuses": dict(statuses),
        "outcomes": dict(outcomes),
    }


def drain(*, first_id: int, started: float, timeout: float = 900.0) -> dict:
    """Wait until the server applied every inbox row of the run; the backlog left when the firing ended
    and the time it took, and answers applied per second from the first request to the last row."""
    rows = InboundSms.objects.filter(id__gt=first_id)
    fired_at = time.perf_counter()
    backlog = rows.filter(status=InboundStatus.PENDING).count()
    while rows.filter(status=InboundStatus.PENDING).exists() and time.perf_counter() - fired_at < timeout:
        time.sleep(0.2)
    done = time.perf_counter()
    outcomes = Counter(rows.values_list("outcome", flat=True))
    return {
        "backlog_at_end_of_firing": backlog,
        "backlog_applied_s": round(done - fired_at, 2),
        "inbox_rows": sum(outcomes.values()),
        "inbox_outcomes": dict(outcomes),
        "applied_per_s": round(outcomes["recorded"] / (done - started), 1),
    }


def verify(*, survey_ids: list[int], recorded: int) -> dict:
    """From the database: surveys left unanswered (lost), responses or answers beyond one per survey, and
    inbox rows that say `recorded` beyond the responses."""
    answered = SurveyResponse.objects.filter(survey_id__in=survey_ids).count()
    answers = Answer.objects.filter(response__survey_id__in=survey_ids).count()
    return {
        "surveys": len(survey_ids),
        "answered": answered,
        "lost": len(survey_ids) - answered,
        "duplicates": max(0, answers - answered) + max(0, recorded - answered),
    }


def run(*, surveys: int, duplicate_share: float, concurrency: int, seed: int, base_url: str, secret: str) -> dict:
    prepared = prepare(surveys=surveys, seed=seed)
    first_id = InboundSms.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = fire(
        base_url=base_url,
        secret=secret,
        phones=prepared["phones"],
        duplicate_share=duplicate_share,
        concurrency=concurrency,
        seed=seed,
    )
    result.update(drain(first_id=first_id, started=result.pop("started")))
    result.update(verify(survey_ids=prepared["survey_ids"], recorded=result["inbox_outcomes"].get("recorded", 0)))
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer")
        result["customers"] = cursor.fetchone()[0]
    result["surveys_table"] = Survey.objects.count()
    result["inbox_table"] = InboundSms.objects.count()
    return result
