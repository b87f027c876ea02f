"""Writes of the CRM quality assessment (CRM质量评估): one assessment = the figures computed from the
data and the managers' answers to the rest of the checklist, each scored against its target, the
gaps named with where to fix them. Assessments are kept, so the score is tracked over time."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed

from ..models import QualityAssessment
from ..permissions import permissions
from .checklist import FIGURE_TARGETS, FIGURES, LEVELS, QUESTION_KEYS, QUESTIONS, TARGET_LEVEL
from .figures import compute

MAX_EVIDENCE, MAX_NOTE = 300, 500


def _clean_answers(answers) -> dict:
    if not isinstance(answers, dict):
        raise ValidationFailed(fields={"answers": gettext_noop("an object with one answer per question")})
    unknown = set(answers) - set(QUESTION_KEYS)
    errors: dict[str, str] = {f"answers.{k}": gettext_noop("unknown question") for k in unknown}
    clean = {}
    for key in QUESTION_KEYS:
        answer = answers.get(key)
        if not isinstance(answer, dict):
            errors[f"answers.{key}"] = "required"
            continue
        level = answer.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or level not in dict(LEVELS):
            errors[f"answers.{key}.level"] = gettext_noop("a whole number from 0 to 4")
        evidence = str(answer.get("evidence") or "").strip()
        if evidence and (len(evidence) > MAX_EVIDENCE or any(ord(c) < 32 for c in evidence)
                         or not evidence.startswith(("/", "https://", "http://"))):
            errors[f"answers.{key}.evidence"] = gettext_noop(
                "a link starting with /, http:// or https://, at most 300 characters")
        note = str(answer.get("note") or "").strip()
        if len(note) > MAX_NOTE or any(ord(c) < 32 and c not in "\n\t" for c in note):
            errors[f"answers.{key}.note"] = gettext_noop("at most 500 characters, no control characters")
        unknown = set(answer) - {"level", "evidence", "note"}
        if unknown:
            errors[f"answers.{key}"] = "unknown field"
        clean[key] = {"level": level, "evidence": evidence, "note": note}
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def figure_score(key: str, value: float) -> float:
    """0–100: the share of the target reached (contact strategy: the correlation, none when negative)."""
    target = FIGURE_TARGETS[key]
    return round(max(0.0, min(value / target, 1.0)) * 100, 1)


def score(figures: dict, answers: dict) -> tuple[float, float, float, list[dict]]:
    """The data score, the checklist score, the overall score (half each) and the gaps: every item
    below its target, worst first."""
    gaps = []
    data_scores = []
    for key, item in FIGURES.items():
        s = figure_score(key, figures[key]["value"])
        data_scores.append(s)
        if s < 100:
            gaps.append({"key": key, "kind": "figure", "score": s, "value": figures[key]["value"],
                         "target": FIGURE_TARGETS[key], "fix": item.fix})
    checklist_scores = []
    for item in QUESTIONS:
        level = answers[item.key]["level"]
        checklist_scores.append(level / 4 * 100)
        if level < TARGET_LEVEL:
            gaps.append({"key": item.key, "kind": "question", "score": round(level / 4 * 100, 1), "value": level,
                         "target": TARGET_LEVEL, "fix": item.fix})
    data_score = round(sum(data_scores) / len(data_scores), 1)
    checklist_score = round(sum(checklist_scores) / len(checklist_scores), 1)
    gaps.sort(key=lambda g: (g["score"], g["key"]))
    return data_score, checklist_score, round((data_score + checklist_score) / 2, 1), gaps


@transaction.atomic
def quality_assessment_create(*, actor, answers: dict, as_of: dt.date | None = None) -> QualityAssessment:
    """Record an assessment: the figures computed now (as of `as_of`, default today), the answers,
    the scores and the gaps. Managers and analysts; nothing is stored when an answer is not valid."""
    permissions.require(actor, "quality", "write")
    clean = _clean_answers(answers)
    as_of = as_of or timezone.localdate()
    figures = compute(as_of)
    data_score, checklist_score, total, gaps = score(figures, clean)
    return QualityAssessment.objects.create(
        as_of=as_of, created_at=timezone.now(), created_by=user_of(actor), figures=figures, answers=clean,
        data_score=data_score, checklist_score=checklist_score, score=total, gaps=gaps)
