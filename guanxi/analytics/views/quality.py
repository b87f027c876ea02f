"""CRM quality assessment pages (CRM质量评估): the latest (or a chosen) assessment's scores against the
targets, the gaps with links to where they are fixed, the score over time and the contact strategy
per value tier as charts, and the checklist managers answer to record a new assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import domain_errors_as_http

from ..permissions import permissions
from ..quality import selectors
from ..quality.checklist import FIGURES, QUESTIONS, checklist, fix_url

HISTORY = 24


def _answers_from(post) -> dict:
    answers = {}
    for q in QUESTIONS:
        level = post.get(f"{q.key}-level", "")
        answers[q.key] = {"level": int(level) if level.isdigit() else None,
                          "evidence": post.get(f"{q.key}-evidence", ""), "note": post.get(f"{q.key}-note", "")}
    return answers


def _report(assessment) -> dict | None:
    if assessment is None:
        return None
    labels = {**{k: str(f.label) for k, f in FIGURES.items()}, **{q.key: str(q.label) for q in QUESTIONS}}
    gaps = [{**g, "label": labels.get(g["key"], g["key"]), "url": fix_url(g["fix"])} for g in assessment.gaps]
    figures = [{"key": k, "label": str(f.label), "fix": fix_url(f.fix), **assessment.figures.get(k, {})}
               for k, f in FIGURES.items()]
    answers = [{"label": str(q.label), **assessment.answers.get(q.key, {})} for q in QUESTIONS]
    return {"assessment": assessment, "gaps": gaps, "figures": figures, "answers": answers}


def _chart(history: list, assessment) -> dict:
    tiers = assessment.figures.get("contact_strategy", {}).get("tiers", []) if assessment else []
    return {"dates": [a.as_of.isoformat() for a in history], "score": [a.score for a in history],
            "data": [a.data_score for a in history], "checklist": [a.checklist_score for a in history],
            "tiers": [t["label"] for t in tiers], "contacts": [t["contacts"] for t in tiers],
            "revenue": [t["revenue"] for t in tiers],
            "labels": {"score": _("Score"), "data": _("Data score"), "checklist": _("Checklist score"),
                       "contacts": _("Contacts per customer, last 12 months"),
                       "revenue": _("Revenue per customer, last 12 months")}}


def _page(request, assessment, *, form_answers=None, errors=None, status=200):
    history = list(selectors.quality_assessment_list(user=request.user)[:HISTORY])[::-1]
    latest = history[-1] if history else None
    shown = assessment or latest
    previous = form_answers or (latest.answers if latest else {})
    questions = [{"key": q.key, "label": str(q.label), **previous.get(q.key, {})} for q in QUESTIONS]
    return render(request, "analytics/quality_page.html", {
        "report": _report(shown), "history": history[::-1], "chart": _chart(history, shown),
        "checklist": checklist(), "questions": questions, "errors": errors or {},
        "is_latest": shown is not None and shown == latest,
        "can_assess": permissions.can(request.user, "quality", "write") and assessment is None}, status=status)


@login_required
@domain_errors_as_http
def quality_page(request):
    permissions.require(request.user, "quality", "read")
    if request.method == "POST":
        from ..quality.services import quality_assessment_create

        answers = _answers_from(request.POST)
        try:
            created = quality_assessment_create(actor=request.user, answers=answers)
        except ValidationFailed as exc:
            labels = {f"answers.{q.key}": str(q.label) for q in QUESTIONS}
            errors = {labels.get(k.rsplit(".", 1)[0] if k.endswith(("level", "evidence", "note")) else k, k): v
                      for k, v in exc.fields.items()} or {"": exc.message}
            return _page(request, None, form_answers=answers, errors=errors, status=422)
        messages.success(request, _("Assessment recorded: score %(score).0f.") % {"score": created.score})
        return redirect("analytics:quality")
    return _page(request, None)


@login_required
@domain_errors_as_http
def quality_assessment(request, assessment_id: int):
    return _page(request, selectors.quality_assessment_get_for_user(user=request.user, assessment_id=assessment_id))
