"""The PDFs of the scheduled reports (Chinese, via core.pdf): the hotspot report of a period (its
top keywords, spikes and topics, against the 12 weeks to its end) and the executive dashboard's
figures as the subscription's owner sees them."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from guanxi.core.pdf import BarChart, Document, Heading, Table, Text, pdf_render

from ..dashboard.periods import Period, start_of
from ..dashboard.read import dashboard_cards
from ..hotspot.analysis import Params, documents_build, hotspot_analyse
from ..hotspot.source import LABELS, hotspot_cases
from ..hotspot.text import keywords, normalized

BASELINE_WEEKS = 12
def _card_titles() -> dict[str, str]:
    return {
        "customers": _("Customers by stage and segment"), "churn": _("Customers lost"),
        "arpu": _("ARPU (monthly)"), "revenue": _("Revenue and receivables"),
        "pipeline": _("Pipeline and forecast"), "cases": _("Case volume"),
        "attainment": _("Service-standard attainment"), "satisfaction": _("Satisfaction and NPS"),
    }


def hotspot_report(*, start: dt.date, end: dt.date) -> tuple[bytes, str]:
    """The hotspot report of [start, end] as PDF bytes, and a few lines of summary for the e-mail."""
    since = min(start, end - dt.timedelta(weeks=BASELINE_WEEKS) + dt.timedelta(days=1))
    docs = documents_build(hotspot_cases(start=since, end=end), keywords, LABELS, normalized)
    result = hotspot_analyse(docs, start=since, end=end, params=Params())["result"]
    first = (start - since).days
    in_period = sum(result["daily_totals"][first:])
    top = sorted(((k["term"], sum(k["daily"][first:])) for k in result["keywords"]), key=lambda x: -x[1])[:15]
    spikes = [s for s in result["spikes"] if dt.date.fromisoformat(s["week"]) + dt.timedelta(days=6) >= start]
    summary = _("%(cases)s consultations, queries and complaints from %(start)s to %(end)s; %(spikes)s spikes.") % {
        "cases": in_period, "start": start, "end": end, "spikes": len(spikes)}
    lines = [summary] + [f"{_('Spike')}：{s['label']}（{s['week']}，{s['count']}）" for s in spikes[:5]]
    document = Document(title=_("Hotspot report %(start)s – %(end)s") % {"start": start, "end": end},
                        blocks=[Text(summary)])
    document.blocks += [BarChart(_("Top keywords"), [t for t, _n in top], [n for _t, n in top])]
    document.blocks += [Heading(_("Spikes")), Table(
        [_("Week"), _("Keyword or topic"), _("Cases"), _("Usual level"), _("Robust z")],
        [[s["week"], s["label"], s["count"], s["expected"], s["z"]] for s in spikes[:30]]
        or [[_("None"), "", "", "", ""]],
        widths=[2, 4, 1, 1, 1])]
    rows = []
    for topic in result["topics"]:
        count = sum(topic["daily"][first:])
        where = topic["concentration"]
        rows.append([topic["label"], count, *(", ".join(r["name"] for r in where[key][:2]) for key in
                                             ("category", "team"))])
    document.blocks += [Heading(_("Topics")), Table([_("Topic"), _("Cases"), _("Business"), _("Department")],
                                                    rows or [[_("None"), "", "", ""]], widths=[4, 1, 2, 2])]
    document.blocks += [Text(_("Spikes compare each week with the median share of the %(weeks)s weeks before it.")
                             % {"weeks": 8}, small=True)]
    return pdf_render(document), "\n".join(lines)


def dashboard_report(*, owner, start: dt.date, end: dt.date) -> tuple[bytes, str]:
    """The executive dashboard's figures of the month holding `end`, as `owner` sees them."""
    period = Period("month", start_of("month", end))
    titles = _card_titles()
    rows = []
    for card in dashboard_cards(user=owner, period=period):
        change = "" if card.change is None else f"{card.change:+.1f}%"
        rows.append([titles.get(card.key, card.key), _value(card.value), _value(card.previous), change])
    summary = _("Executive dashboard, %(period)s: %(cards)s figures.") % {"period": period.label, "cards": len(rows)}
    document = Document(title=_("Executive dashboard summary %(period)s") % {"period": period.label}, blocks=[
        Text(summary), Table([_("Figure"), _("This period"), _("Previous period"), _("Change")], rows,
                             widths=[4, 2, 2, 1])])
    return pdf_render(document), summary


def _value(value) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")
