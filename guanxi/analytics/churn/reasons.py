"""A customer's top reasons in words (e.g. 近90天投诉3次), from the stored feature and value."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

PHRASES = {
    "interactions_30d": lambda v: _("%(n)d contacts in the last 30 days") % {"n": v},
    "interactions_90d": lambda v: _("only %(n)d contacts in the last 90 days") % {"n": v},
    "interactions_prev_90d": lambda v: _("%(n)d contacts in the 90 days before") % {"n": v},
    "usage_trend": lambda v: _("contacts down by %(n)d on the previous 90 days") % {"n": -v} if v < 0
    else _("contacts up by %(n)d on the previous 90 days") % {"n": v},
    "cases_90d": lambda v: _("%(n)d service cases in the last 90 days") % {"n": v},
    "complaints_90d": lambda v: _("%(n)d complaints in the last 90 days") % {"n": v},
    "breaches_90d": lambda v: _("%(n)d service-standard breaches in the last 90 days") % {"n": v},
    "open_breaches": lambda v: _("%(n)d breached cases still unresolved") % {"n": v},
    "survey_score_180d": lambda v: _("no survey answered in 180 days") if v is None
    else _("satisfaction score %(n)d/100") % {"n": v},
    "survey_answers_180d": lambda v: _("%(n)d survey answers in 180 days") % {"n": v},
    "orders_180d": lambda v: _("%(n)d orders in the last 180 days") % {"n": v},
    "order_amount_180d": lambda v: _("orders of ¥%(n)s in the last 180 days") % {"n": f"{v:,.0f}"},
    "paid_180d": lambda v: _("¥%(n)s paid in the last 180 days") % {"n": f"{v:,.0f}"},
    "arrears": lambda v: _("¥%(n)s overdue") % {"n": f"{v:,.0f}"},
    "tenure_days": lambda v: _("a customer for %(n)d days") % {"n": v},
}


def reason_text(feature: str, value) -> str:
    if value is not None and isinstance(value, float) and math.isnan(value):
        value = None
    phrase = PHRASES.get(feature)
    if phrase is None:
        return feature
    if value is None and feature != "survey_score_180d":
        value = 0
    return phrase(value if value is None or feature == "order_amount_180d" or feature in ("paid_180d", "arrears")
                  else round(value))
