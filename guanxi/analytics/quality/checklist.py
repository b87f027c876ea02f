"""The CRM quality checklist (SPEC I.6, the seeds' questions): what the data answers is computed
(figures.py); the rest is asked of managers, each answer a level from 0 (not done) to 4 (fully
done) with an evidence link. Each item names its target and the page where a gap is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

LEVELS = ((0, _("Not done")), (1, _("Started")), (2, _("Partly done")), (3, _("Mostly done")), (4, _("Fully done")))
TARGET_LEVEL = 3


@dataclass(frozen=True)
class Item:
    key: str
    label: object
    fix: str  # URL name of the page where the gap is fixed


QUESTIONS: tuple[Item, ...] = (
    Item("proposition", _("Each customer group has its own proposition (offer, service level, service content)"),
         "segments:list"),
    Item("organisation", _("People and organisation are set per segment (service staff and hours for each tier)"),
         "segments:list"),
    Item("agents_chosen", _("Agents are chosen for the segments they serve (recruitment criteria per segment)"),
         "admin:index"),
    Item("agents_trained", _("Agents are trained for the segments they serve (knowledge base, courses)"),
         "servicedesk:knowledge"),
    Item("agents_rewarded", _("Agents are rewarded for retention and satisfaction, not only for volume"),
         "analytics:dashboard"),
    Item("competitors", _("We know how competitors serve the same customers (benchmarking)"), "segments:analysis"),
    Item("performance", _("Performance is measured per segment (retention, value, satisfaction) and reviewed"),
         "analytics:dashboard"),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)

# The computed figures: their labels, targets and where a gap is fixed.
FIGURES: dict[str, Item] = {f.key: f for f in (
    Item("retention", _("Retention rate: customers of the year before still active this year"), "analytics:churn"),
    Item("value_use", _("Customer value used in decisions: share of campaigns and tiered service based on value"),
         "segments:list"),
    Item("history", _("Depth of transaction history (three years held?)"), "customers:imports"),
    Item("contact_strategy", _("Contact strategy per segment: contacts rise with customer value"), "segments:analysis"),
)}
FIGURE_TARGETS = {"retention": 0.8, "value_use": 0.5, "history": 3.0, "contact_strategy": 0.8}


def fix_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def checklist() -> dict:
    """The questions, levels and figures with their labels in the active language."""
    return {"levels": [{"value": v, "label": str(label)} for v, label in LEVELS], "target_level": TARGET_LEVEL,
            "questions": [{"key": q.key, "label": str(q.label), "fix": fix_url(q.fix)} for q in QUESTIONS],
            "figures": [{"key": f.key, "label": str(f.label), "target": FIGURE_TARGETS[f.key], "fix": fix_url(f.fix)}
                        for f in FIGURES.values()]}
