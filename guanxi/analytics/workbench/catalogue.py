"""The workbench's catalogue (数据挖掘目录): the kinds of analysis, the targets one may choose (each with
the kinds it suits and whether it takes an option, e.g. the product category bought) and the
features, which are the churn model's (churn/features.py, in its order; not imported here, so that
the pages and the API load neither numpy nor pandas at start-up), labelled for people."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FEATURE_LABELS = {
    "interactions_30d": _("Contacts, last 30 days"),
    "interactions_90d": _("Contacts, last 90 days"),
    "interactions_prev_90d": _("Contacts, the 90 days before"),
    "usage_trend": _("Change in contacts on the previous 90 days"),
    "cases_90d": _("Service cases, last 90 days"),
    "complaints_90d": _("Complaints, last 90 days"),
    "breaches_90d": _("Service-standard breaches, last 90 days"),
    "open_breaches": _("Breached cases still unresolved"),
    "survey_score_180d": _("Satisfaction score, last 180 days"),
    "survey_answers_180d": _("Survey answers, last 180 days"),
    "orders_180d": _("Orders, last 180 days"),
    "order_amount_180d": _("Order amount, last 180 days"),
    "paid_180d": _("Paid, last 180 days"),
    "arrears": _("Overdue amount"),
    "tenure_days": _("Days as a customer"),
}

SUPERVISED = ("classification", "regression", "ranking")


@dataclass(frozen=True)
class Target:
    """What an analysis learns: `binary` targets suit classification and ranking, `number` ones
    prediction. The label is read over the horizon after the cut-off (see data.py)."""

    name: str
    label: object
    type: str  # "binary" | "number"
    option: str = ""  # "category": the code of a product category

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("classification", "ranking") if self.type == "binary" else ("regression",)


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("churned", _("Churned (no contact, order or payment in the horizon)"), "binary"),
    Target("bought_category", _("Bought a product of a category in the horizon"), "binary", option="category"),
    Target("complained", _("Complained in the horizon"), "binary"),
    Target("arpu", _("ARPU (monthly)"), "number"),
    Target("spend", _("Order amount in the horizon"), "number"),
    Target("satisfaction", _("Satisfaction score in the horizon"), "number"),
)}

DEFAULT_PARAMS = {"seed": 0, "holdout": 0.25, "horizon_days": 90, "clusters": 4}
LIMITS = {"seed": (0, 2**31 - 1), "holdout": (0.1, 0.5), "horizon_days": (14, 365), "clusters": (2, 12)}


def catalogue() -> dict:
    """Kinds, targets and features with their labels in the active language (for the form and the API)."""
    from ..models import MiningAnalysis

    return {
        "kinds": [{"name": value, "label": str(label)} for value, label in MiningAnalysis.Kind.choices],
        "targets": [{"name": t.name, "label": str(t.label), "type": t.type, "kinds": list(t.kinds),
                     "option": t.option} for t in TARGETS.values()],
        "features": [{"name": name, "label": str(label)} for name, label in FEATURE_LABELS.items()],
        "params": {name: {"default": DEFAULT_PARAMS[name], "min": low, "max": high}
                   for name, (low, high) in LIMITS.items()},
    }


def feature_label(name: str) -> str:
    return str(FEATURE_LABELS.get(name, name))
