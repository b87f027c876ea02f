"""What the system writes on a case, put into words when shown, in the reader's language.

Notes the system adds (a breached standard, a merge, a dissatisfied callback) are stored as an
event code and its parameters, never as English text. A few services also store a fixed text in
a free-text field (a hand-over note, a pause or change reason): those are message ids, translated
when shown. Rows written before events had codes are mapped by `legacy_event` (migration 0009).
"""

import re

from django.utils.translation import gettext, gettext_noop

from .enums import Metric

SLA_BREACHED = "sla_breached"
CASE_MERGED = "case_merged"
CALLBACK_DISSATISFIED = "callback_dissatisfied"

EVENT_TEXTS = {
    SLA_BREACHED: gettext_noop("Service standard breached: %(metric)s"),
    CASE_MERGED: gettext_noop("Merged %(number)s: %(subject)s"),
    CALLBACK_DISSATISFIED: gettext_noop("Callback: customer dissatisfied. %(note)s"),
}

ESCALATED = gettext_noop("Escalated: service standard breached")
MAJOR_COMPLAINT = gettext_noop("Major complaint: for the service manager")
PENDING_ON_CUSTOMER = gettext_noop("pending on customer")
CUSTOMER_REPLIED = gettext_noop("customer replied")
CALLBACK_REOPENED = gettext_noop("callback: customer dissatisfied")
SYSTEM_TEXTS = frozenset({ESCALATED, MAJOR_COMPLAINT, PENDING_ON_CUSTOMER, CUSTOMER_REPLIED, CALLBACK_REOPENED})
# Reasons with a parameter, stored in their English form by the change history.
MERGED_INTO = gettext_noop("merged into %(number)s")
_SYSTEM_PATTERNS = [(re.compile(r"merged into (?P<number>\S+)"), MERGED_INTO)]

# The English notes of the versions before event codes: (pattern, code).
_LEGACY_NOTES = [
    (re.compile(r"SLA breached: (?P<metric>\w+)"), SLA_BREACHED),
    (re.compile(r"Merged (?P<number>T\d+): (?P<subject>.*)", re.S), CASE_MERGED),
    (re.compile(r"Callback: customer dissatisfied\.\s*(?P<note>.*)", re.S), CALLBACK_DISSATISFIED),
]


def event_text(code: str, params: dict) -> str:
    """The words of an event in the active language ('' for a code this version does not know)."""
    template = EVENT_TEXTS.get(code)
    if template is None:
        return ""
    values = {name: _shown(name, value) for name, value in params.items()}
    return (gettext(template) % values).strip()


def _shown(name: str, value):
    if name == "metric" and value in Metric.values:
        return Metric(value).label
    return value


def system_text(text: str) -> str:
    """A stored text in the active language when the system wrote it; a person's text unchanged."""
    if text in SYSTEM_TEXTS:
        return gettext(text)
    for pattern, template in _SYSTEM_PATTERNS:
        match = pattern.fullmatch(text or "")
        if match:
            return gettext(template) % match.groupdict()
    return text


def legacy_event(body: str) -> tuple[str, dict] | None:
    """The event code and parameters of a note stored as English text by an older version."""
    for pattern, code in _LEGACY_NOTES:
        match = pattern.fullmatch(body.strip())
        if match:
            return code, match.groupdict()
    return None
