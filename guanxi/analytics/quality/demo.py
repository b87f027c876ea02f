"""Demo CRM quality assessments (CRM质量评估): three assessments half a year, a quarter and a day ago,
the managers' answers improving from one to the next, so that the score's history has a trend."""

from __future__ import annotations

import datetime as dt

from guanxi.accounts.access import SYSTEM

from .checklist import QUESTION_KEYS
from .services import quality_assessment_create

LEVELS = ((1, 0, 1, 1, 0, 0, 1), (2, 1, 2, 2, 1, 1, 2), (3, 2, 2, 3, 2, 1, 3))
EVIDENCE = {"proposition": "/segments/", "agents_trained": "/servicedesk/knowledge/", "performance": "/analytics/"}


def quality_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime) -> str:
    scores = []
    for days, levels in zip((180, 90, 0), LEVELS, strict=True):
        answers = {key: {"level": level, "evidence": EVIDENCE.get(key, ""), "note": ""}
                   for key, level in zip(QUESTION_KEYS, levels, strict=True)}
        as_of = (now - dt.timedelta(days=days)).date()
        assessment = quality_assessment_create(actor=SYSTEM, answers=answers, as_of=as_of)
        scores.append(f"{assessment.as_of}: {assessment.score:.0f}")
    return "quality assessments " + ", ".join(scores)
