"""The satisfaction period report as PDF (Chinese fonts, see `guanxi.core.pdf`): the figures by
period, the dimension scores, the groups and the response rates, each as value ±margin (95 %) with
its sample size, or the too-small note in place of a number — the same figures as the XLSX."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.pdf import BarChart, Document, Heading, Table, Text, pdf_render

from . import analysis_selectors as selectors
from .enums import Dimension

MAX_PERIOD_COLUMNS = 6  # the dimension table shows the latest periods, so it fits the page


def figure_text(figure) -> str:
    """'86.5 ±3.1 (n=120)', or the too-small note with n."""
    if not figure.is_shown:
        return _("Sample too small (n=%(n)s)") % {"n": figure.n}
    return f"{figure.value:.1f} ±{figure.moe:.1f} (n={figure.n})"


def report_pdf(*, user, period: str, by: str, since: dt.datetime, until: dt.datetime) -> bytes:
    """The period report over [since, until) for what `user` may read (scoped by the selectors)."""
    cells = selectors.trend(user=user, period=period, since=since, until=until)
    rates = {c.key: c for c in selectors.response_rates(user=user, period=period, since=since, until=until)}
    groups = selectors.breakdown(user=user, by=by, since=since, until=until)
    first, last = timezone.localdate(since), timezone.localdate(until - dt.timedelta(seconds=1))
    main = [("csat", _("CSAT")), ("nps", _("NPS")), ("overall", Dimension.OVERALL.label)]
    blocks: list = [
        Text(_("%(since)s to %(until)s, by %(period)s; made %(made)s.") % {
            "since": first, "until": last, "period": selectors.PERIODS.get(period, period),
            "made": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
        Text(_("Each figure: value ±margin of error (95%% confidence), n = answers; a figure from fewer than "
               "%(n)s answers is not shown.") % {"n": selectors.min_sample()}, small=True),
        Heading(_("By period")),
        Table([_("Period"), *(str(label) for _m, label in main), _("Response rate (%)")],
              [[c.key, *(figure_text(c.figures[m]) for m, _label in main),
                figure_text(rates[c.key].figures["response_rate"]) if c.key in rates else "—"] for c in cells],
              widths=[1, 2, 2, 2, 2]),
    ]
    if cells:
        latest = cells[-1]
        shown = cells[-MAX_PERIOD_COLUMNS:]
        blocks += [
            Heading(_("Dimension scores (0–100)")),
            Table([_("Dimension"), *(c.key for c in shown)],
                  [[str(label), *(figure_text(c.figures[d]) for c in shown)] for d, label in Dimension.choices],
                  widths=[2, *([2] * len(shown))]),
            BarChart(_("Dimension scores, %(period)s") % {"period": latest.key},
                     [str(label) for _d, label in Dimension.choices],
                     [latest.figures[d].value if latest.figures[d].is_shown else None for d in Dimension.values]),
        ]
    blocks += [
        Heading(_("By %(group)s") % {"group": selectors.GROUPS[by][0]}),
        Table([str(selectors.GROUPS[by][0]), *(str(label) for _m, label in main)],
              [[g.label, *(figure_text(g.figures[m]) for m, _label in main)] for g in groups],
              widths=[2, 2, 2, 2]),
    ]
    title = _("Customer satisfaction report %(since)s – %(until)s") % {"since": first, "until": last}
    return pdf_render(Document(title=title, blocks=blocks, subject=_("Customer satisfaction")))
