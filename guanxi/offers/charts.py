"""Labels and chart data of the model page (no NumPy: pages import it)."""

from django.utils.translation import gettext_lazy as _

ALGORITHM_LABELS = {"propensity": _("Propensity model"), "rules": _("Association rules"),
                    "popularity": _("Popularity (baseline)")}


def chart_data(metrics: dict) -> dict:
    """Hit@1 and hit@3 in percent per scorer, for the ECharts bar chart."""
    rates = metrics.get("hit_rates", {})
    names = [name for name in ALGORITHM_LABELS if name in rates]
    return {"categories": [str(ALGORITHM_LABELS[n]) for n in names],
            "series": [{"name": str(_("Hit@1")), "data": [round(rates[n]["hit_at_1"] * 100, 1) for n in names]},
                       {"name": str(_("Hit@3")), "data": [round(rates[n]["hit_at_3"] * 100, 1) for n in names]}]}
