"""The files of the scheduled reports (XLSX and a Chinese PDF via core.pdf), one pair per recipient,
rendered with that recipient's rights: the hotspot report of a period (its top keywords, spikes and
topics, against the 12 weeks to its end), the executive dashboard's figures, a saved explorer view
(run as the recipient: their row scope, names masked as the explorer masks them), a data-mining
analysis (its quality, reasons and the customers the recipient may read, names masked) and the
latest CRM quality assessment. Company-wide reports (hotspot, quality) are rendered once per period
and shared by every recipient."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext as _

from guanxi.core.pdf import BarChart, Document, Heading, Table, Text, pdf_render
from guanxi.core.spreadsheet import spreadsheet_cell

from ..dashboard.periods import Period, start_of
from ..dashboard.read import dashboard_cards
from ..explorer.export import XLSX, pivot_rows, pivot_xlsx
from ..explorer.query import ExplorerQuery, explorer_run
from ..hotspot.analysis import Params, documents_build, hotspot_analyse
from ..hotspot.source import LABELS, hotspot_documents
from ..hotspot.text import keywords, normalized
from ..models import ReportSubscription

BASELINE_WEEKS = 12
PDF = "application/pdf"
MINING_CUSTOMERS = 100


@dataclass
class Section:
    title: str
    header: list
    rows: list[list]
    widths: list[float] | None = None


@dataclass
class Rendered:
    """A report as one recipient receives it: a few lines for the message, the XLSX and the PDF."""

    summary: str
    xlsx: bytes
    pdf: bytes
    extra: dict = field(default_factory=dict)


def _card_titles() -> dict[str, str]:
    return {
        "customers": _("Customers by stage and segment"), "churn": _("Customers lost"),
        "arpu": _("ARPU (monthly)"), "revenue": _("Revenue and receivables"),
        "pipeline": _("Pipeline and forecast"), "cases": _("Case volume"),
        "attainment": _("Service-standard attainment"), "satisfaction": _("Satisfaction and NPS"),
    }


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base} {n}", n + 1
    used.add(name)
    return name


def sections_xlsx(title: str, summary: str, sections: list[Section]) -> bytes:
    """A workbook: a first sheet with the title and summary, then one sheet per section."""
    from openpyxl import Workbook

    book = Workbook()
    used: set[str] = set()
    sheet = book.active
    sheet.title = _sheet_title(_("Summary"), used)
    for line in [title, *summary.splitlines()]:
        sheet.append([spreadsheet_cell(line)])
    for section in sections:
        sheet = book.create_sheet(_sheet_title(section.title, used))
        sheet.append([spreadsheet_cell(str(h)) for h in section.header])
        for row in section.rows:
            sheet.append([spreadsheet_cell(v) if isinstance(v, str) else v for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sections_pdf(title: str, summary: str, sections: list[Section], charts: list | None = None,
                 notes: list[str] | None = None) -> bytes:
    blocks: list = [Text(line) for line in summary.splitlines() if line]
    blocks += list(charts or [])
    for section in sections:
        blocks += [Heading(section.title),
                   Table([str(h) for h in section.header],
                         section.rows or [[_("None")] + [""] * (len(section.header) - 1)], widths=section.widths)]
    blocks += [Text(note, small=True) for note in notes or []]
    return pdf_render(Document(title=title, blocks=blocks))


def _render(title: str, summary: str, sections: list[Section], **pdf) -> Rendered:
    return Rendered(summary=summary, xlsx=sections_xlsx(title, summary, sections),
                    pdf=sections_pdf(title, summary, sections, **pdf))


# ---------------------------------------------------------------- company-wide reports


def hotspot_report(*, start: dt.date, end: dt.date, source: str = "cases") -> Rendered:
    """The hotspot report of [start, end] (cases, interactions or both)."""
    since = min(start, end - dt.timedelta(weeks=BASELINE_WEEKS) + dt.timedelta(days=1))
    docs = documents_build(hotspot_documents(source=source, start=since, end=end), keywords, LABELS, normalized)
    result = hotspot_analyse(docs, start=since, end=end, params=Params())["result"]
    first = (start - since).days
    in_period = sum(result["daily_totals"][first:])
    top = sorted(((k["term"], sum(k["daily"][first:])) for k in result["keywords"]), key=lambda x: -x[1])[:15]
    spikes = [s for s in result["spikes"] if dt.date.fromisoformat(s["week"]) + dt.timedelta(days=6) >= start]
    summary = _("%(cases)s consultations, queries and complaints from %(start)s to %(end)s; %(spikes)s spikes.") % {
        "cases": in_period, "start": start, "end": end, "spikes": len(spikes)}
    lines = [summary] + [f"{_('Spike')}：{s['label']}（{s['week']}，{s['count']}）" for s in spikes[:5]]
    title = _("Hotspot report %(start)s – %(end)s") % {"start": start, "end": end}
    topics = []
    for topic in result["topics"]:
        where = topic["concentration"]
        topics.append([topic["label"], sum(topic["daily"][first:]),
                       *(", ".join(r["name"] for r in where[key][:2]) for key in ("category", "team"))])
    sections = [
        Section(_("Top keywords"), [_("Keyword or topic"), _("Cases")], [[t, n] for t, n in top], [4, 1]),
        Section(_("Spikes"), [_("Week"), _("Keyword or topic"), _("Cases"), _("Usual level"), _("Robust z")],
                [[s["week"], s["label"], s["count"], s["expected"], s["z"]] for s in spikes[:30]], [2, 4, 1, 1, 1]),
        Section(_("Topics"), [_("Topic"), _("Cases"), _("Business"), _("Department")], topics, [4, 1, 2, 2]),
    ]
    chart = BarChart(_("Top keywords"), [t for t, _n in top], [n for _t, n in top])
    note = _("Spikes compare each week with the median share of the %(weeks)s weeks before it.") % {"weeks": 8}
    return Rendered(summary="\n".join(lines), xlsx=sections_xlsx(title, "\n".join(lines), sections),
                    pdf=sections_pdf(title, summary, sections[1:], charts=[chart], notes=[note]))


def quality_report(*, end: dt.date) -> Rendered:
    """The latest CRM quality assessment up to `end`: its scores, figures against targets and gaps."""
    from ..models import QualityAssessment
    from ..quality.checklist import FIGURE_TARGETS, FIGURES, QUESTIONS

    assessment = QualityAssessment.objects.filter(as_of__lte=end).order_by("-as_of", "-id").first()
    title = _("CRM quality assessment")
    if assessment is None:
        summary = _("No CRM quality assessment has been recorded yet.")
        return _render(title, summary, [])
    summary = _("CRM quality assessment of %(as_of)s: score %(score)s (data %(data)s, checklist %(checklist)s); "
                "%(gaps)s gaps.") % {"as_of": assessment.as_of, "score": assessment.score,
                                     "data": assessment.data_score, "checklist": assessment.checklist_score,
                                     "gaps": len(assessment.gaps)}
    labels = {**{k: str(item.label) for k, item in FIGURES.items()}, **{q.key: str(q.label) for q in QUESTIONS}}
    figures = [[labels.get(k, k), (v or {}).get("value"), FIGURE_TARGETS.get(k)]
               for k, v in (assessment.figures or {}).items()]
    gaps = [[labels.get(g["key"], g["key"]), g.get("score"), g.get("value"), g.get("target")] for g in assessment.gaps]
    history = [[str(a.as_of), a.score, a.data_score, a.checklist_score]
               for a in QualityAssessment.objects.filter(as_of__lte=end).order_by("-as_of", "-id")[:12]]
    return _render(title, summary, [
        Section(_("Computed figures"), [_("Figure"), _("Value"), _("Target")], figures, [5, 1, 1]),
        Section(_("Gaps"), [_("Item"), _("Score"), _("Value"), _("Target")], gaps, [5, 1, 1, 1]),
        Section(_("Score over time"), [_("As of"), _("Score"), _("Data score"), _("Checklist score")], history),
    ])


# ---------------------------------------------------------------- per recipient


def dashboard_report(*, user, start: dt.date, end: dt.date) -> Rendered:
    """The executive dashboard's figures of the month holding `end`, as `user` sees them."""
    period = Period("month", start_of("month", end))
    titles = _card_titles()
    rows = []
    for card in dashboard_cards(user=user, period=period):
        change = "" if card.change is None else f"{card.change:+.1f}%"
        rows.append([titles.get(card.key, card.key), _value(card.value), _value(card.previous), change])
    summary = _("Executive dashboard, %(period)s: %(cards)s figures.") % {"period": period.label, "cards": len(rows)}
    title = _("Executive dashboard summary %(period)s") % {"period": period.label}
    return _render(title, summary, [Section(_("Figures"), [_("Figure"), _("This period"), _("Previous period"),
                                                            _("Change")], rows, [4, 2, 2, 1])])


def explorer_view_report(*, user, view) -> Rendered:
    """A saved view's pivot run as `user` (their scope and masking), with the explorer's own export."""
    query = ExplorerQuery.from_dict(view.definition)
    pivot = explorer_run(user=user, query=query)
    grid = pivot_rows(pivot)
    depth = len(pivot.columns) + 1
    summary = _("Saved view “%(name)s”, %(start)s – %(end)s: %(rows)s rows.") % {
        "name": view.name, "start": query.date_from, "end": query.date_to, "rows": len(pivot.row_headers)}
    header, rows = grid[depth - 1], grid[depth:]
    pdf = sections_pdf(view.name, summary, [Section(_("Explorer"), [str(h) for h in header],
                                                    [[_cell(v) for v in row] for row in rows])])
    return Rendered(summary=summary, xlsx=pivot_xlsx(pivot, title=view.name), pdf=pdf)


def mining_report(*, user, analysis) -> Rendered:
    """An analysis: its quality figures and reasons, and its first customers by rank that `user` may
    read (names masked as customers masks them)."""
    from ..churn.selectors import customer_name_for
    from ..workbench.catalogue import feature_label
    from ..workbench.selectors import mining_prediction_list

    metrics = [[str(k), _cell(v)] for k, v in (analysis.metrics or {}).items() if isinstance(v, int | float | str)]
    reasons = analysis.reasons or {}
    importance = [[feature_label(i.get("feature", "")), *(_cell(v) for k, v in i.items() if k != "feature")]
                  for i in reasons.get("importance", [])]
    importance_header = [_("Feature")] + [k for k in (reasons.get("importance") or [{}])[0] if k != "feature"]
    clusters = [[p.get("cluster", ""), p.get("size", ""),
                 "、".join(feature_label(d["feature"]) for d in p.get("distinct", [])[:3])]
                for p in reasons.get("clusters", [])]
    customers = [[p.rank, p.customer.code, customer_name_for(user, p.customer), round(p.score, 4), p.label]
                 for p in mining_prediction_list(user=user, analysis=analysis)[:MINING_CUSTOMERS]]
    summary = _("Data-mining analysis “%(name)s” (%(kind)s), status %(status)s: %(rows)s customers trained on, "
                "%(scored)s scored.") % {"name": analysis.name, "kind": analysis.get_kind_display(),
                                          "status": analysis.get_status_display(), "rows": analysis.rows,
                                          "scored": analysis.scored}
    sections = [Section(_("Quality"), [_("Figure"), _("Value")], metrics, [3, 2])]
    if importance:
        sections.append(Section(_("Reasons"), importance_header, importance))
    if clusters:
        sections.append(Section(_("Clusters"), [_("Cluster"), _("Customers"), _("Distinctive features")], clusters))
    sections.append(Section(_("Customers"), [_("Rank"), _("Customer number"), _("Name"), _("Score"),
                                             _("Class or cluster")], customers, [1, 2, 3, 1, 1]))
    return _render(analysis.name, summary, sections)


def _cell(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, int | str) or value is None:
        return value
    return str(value)


def _value(value) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


SHARED_KINDS = frozenset({ReportSubscription.Kind.HOTSPOT_WEEKLY, ReportSubscription.Kind.QUALITY})
__all__ = ["PDF", "SHARED_KINDS", "XLSX", "Rendered", "dashboard_report", "explorer_view_report", "hotspot_report",
           "mining_report", "quality_report"]
