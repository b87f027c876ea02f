"""The reasons of a warranty decision in the reader's language.

The engine explains each rule it applied in English (`AppliedRule.reason`, kept for the record);
a decision stores the rule codes with those texts. Each code's text has one form, below, with its
numbers and dates as parameters: the parameters are read back from the stored text and put into
the form in the active language, so decisions stored by any version read the same.
"""

import re

from django.utils.translation import gettext, gettext_noop

REASONS = {
    "start_invoice": gettext_noop("The period runs from the invoice date %(date)s."),
    "start_proof": gettext_noop("No invoice: the period runs from the proof's date %(date)s."),
    "start_factory_fallback": gettext_noop(
        "No invoice or proof: the period runs from the factory date + %(days)s days (%(date)s)."),
    "exchange_restart": gettext_noop("An exchange on %(date)s restarted the period."),
    "repair_days_excluded": gettext_noop("%(days)s days in repair do not count: the period ends on %(date)s."),
    "gift_covered": gettext_noop("A gifted item is covered the same way as a bought one."),
    "repair_guarantee": gettext_noop(
        "A repair must keep the product working %(days)s days; the last one finished on %(last)s, so the repair "
        "is free although the period ended on %(date)s."),
    "out_of_period": gettext_noop("The period ended on %(date)s: a repair is paid."),
    "in_period": gettext_noop("The fault on %(fault)s is inside the period ending on %(date)s."),
    "repair_overdue_exchange": gettext_noop(
        "The main unit has been in repair %(days)s days (limit %(limit)s): it is exchanged free for the same model."),
    "repair_overdue_loaner": gettext_noop(
        "The main unit has been in repair %(days)s days (limit %(limit)s): a loaner is provided free."),
    "refund_window": gettext_noop(
        "A fault %(days)s days after the sale (at most %(limit)s): refund, exchange or repair, as the customer "
        "chooses."),
    "exchange_window": gettext_noop(
        "A fault %(days)s days after the sale (at most %(limit)s): exchange or repair, as the customer chooses."),
    "repeated_repair_exchange": gettext_noop(
        "Still faulty after %(repairs)s repairs in the period (limit %(limit)s): exchange for the same model."),
    "free_repair": gettext_noop("Inside the period: the repair is free."),
    "no_stock_refund": gettext_noop("The same model is not available: refund at the original price."),
    "depreciated_refund": gettext_noop(
        "An exchange is possible but the customer wants a refund: the price less %(percent)s%% for each of "
        "%(days)s days of use."),
}


def _pattern(form: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", form.replace("%%", "%"))
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(regex)


PATTERNS = {code: _pattern(form) for code, form in REASONS.items()}


def reason_params(code: str, text: str) -> dict | None:
    """The numbers and dates in a stored English reason, or None when it is not in its code's form."""
    pattern = PATTERNS.get(code)
    match = pattern.fullmatch(text) if pattern else None
    return match.groupdict() if match else None


def reason_text(code: str, text: str) -> str:
    """A stored reason in the active language; '' when it cannot be read back (the rule's title says it)."""
    params = reason_params(code, text)
    return "" if params is None else gettext(REASONS[code]) % params


def rules_in_language(rules: list[dict]) -> list[dict]:
    """A decision's stored rules with each reason in the active language (as stored if unreadable)."""
    return [{**rule, "reason": reason_text(rule["code"], rule["reason"]) or rule["reason"]} for rule in rules]
