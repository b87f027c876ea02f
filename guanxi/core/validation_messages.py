"""Reasons for the request-shape errors pydantic finds, in the caller's language.

pydantic words its errors in English; the API maps the common error types to these reasons
(message ids with pydantic's context as parameters), and any other type to a general one.
"""

from django.utils.translation import gettext, gettext_noop

from .errors import translated

REASONS = {
    "missing": gettext_noop("required"),
    "string_type": gettext_noop("must be text"),
    "string_too_short": gettext_noop("at least %(min_length)s characters"),
    "string_too_long": gettext_noop("at most %(max_length)s characters"),
    "string_pattern_mismatch": gettext_noop("not in the expected format"),
    "int_type": gettext_noop("must be a whole number"),
    "int_parsing": gettext_noop("must be a whole number"),
    "int_from_float": gettext_noop("must be a whole number"),
    "float_type": gettext_noop("must be a number"),
    "float_parsing": gettext_noop("must be a number"),
    "decimal_type": gettext_noop("must be a number"),
    "decimal_parsing": gettext_noop("must be a number"),
    "decimal_max_digits": gettext_noop("at most %(max_digits)s digits"),
    "decimal_max_places": gettext_noop("at most %(decimal_places)s decimal places"),
    "decimal_whole_digits": gettext_noop("at most %(whole_digits)s digits before the decimal point"),
    "finite_number": gettext_noop("must be a finite number"),
    "bool_type": gettext_noop("must be true or false"),
    "bool_parsing": gettext_noop("must be true or false"),
    "greater_than": gettext_noop("must be greater than %(gt)s"),
    "greater_than_equal": gettext_noop("must be at least %(ge)s"),
    "less_than": gettext_noop("must be less than %(lt)s"),
    "less_than_equal": gettext_noop("must be at most %(le)s"),
    "date_type": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": gettext_noop("must be a date (YYYY-MM-DD)"),
    "datetime_type": gettext_noop("must be a date and time (ISO 8601)"),
    "datetime_parsing": gettext_noop("must be a date and time (ISO 8601)"),
    "datetime_from_date_parsing": gettext_noop("must be a date and time (ISO 8601)"),
    "time_parsing": gettext_noop("must be a time (HH:MM)"),
    "timezone_aware": gettext_noop("must include a time zone"),
    "literal_error": gettext_noop("must be one of: %(expected)s"),
    "enum": gettext_noop("must be one of: %(expected)s"),
    "list_type": gettext_noop("must be a list"),
    "too_short": gettext_noop("at least %(min_length)s items"),
    "too_long": gettext_noop("at most %(max_length)s items"),
    "dict_type": gettext_noop("must be an object"),
    "model_type": gettext_noop("must be an object"),
    "model_attributes_type": gettext_noop("must be an object"),
    "json_invalid": gettext_noop("not valid JSON"),
    "json_type": gettext_noop("not valid JSON"),
    "extra_forbidden": gettext_noop("not an accepted field"),
    "uuid_parsing": gettext_noop("not in the expected format"),
    "url_parsing": gettext_noop("not a valid address"),
}
INVALID = gettext_noop("not valid")


def validation_reason(error: dict) -> str:
    """One pydantic error (`ValidationError.errors()` item) as a reason in the active language."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and context.get("error") is not None:
        # A validator's own ValueError: its text is a message id of this project.
        return translated(str(context["error"]))
    template = REASONS.get(kind)
    if template is None:
        return gettext(INVALID)
    try:
        return gettext(template) % {name: _shown(value) for name, value in context.items()}
    except (KeyError, TypeError, ValueError):  # a context this version of pydantic does not give
        return gettext(INVALID)


def _shown(value):
    return value if isinstance(value, int | float | str) else str(value)
