"""The one check of control characters in text input, for forms, API schemas, services and the
import alike.

Single-line fields (names, titles, subjects, codes, phone numbers, e-mail, addresses...) take no
control character at all: no newline, tab, NUL, DEL, C1 control or Unicode line separator, which
would break lists, exports and headers. Multi-line fields (notes, descriptions, messages) take
newlines and tabs and no other control character.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SINGLE_LINE_MESSAGE = "must be one line without control characters"
MULTI_LINE_MESSAGE = "contains control characters"


def has_control_characters(value: str | None, *, multiline: bool = False) -> bool:
    return bool(value) and bool((MULTI_LINE_CONTROL if multiline else SINGLE_LINE_CONTROL).search(value))


def control_character_error(value: str | None, *, multiline: bool = False) -> str | None:
    """The reason `value` is refused, or None."""
    if has_control_characters(value, multiline=multiline):
        return MULTI_LINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE
    return None


def _single_line(value: str) -> str:
    if has_control_characters(value):
        raise ValueError(SINGLE_LINE_MESSAGE)
    return value


# A single-line text field of an API schema (422 with the field's name when refused).
SingleLine = Annotated[str, AfterValidator(_single_line)]
