"""An offer's reason in words, from the numbers of the scorer that chose it (engine.Suggestion),
in the reader's language."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .engine import Suggestion


def percent(share: float) -> str:
    return f"{math.floor(share * 100 + 0.5)}%"


def reason_text(suggestion: Suggestion) -> str:
    values = {"product": suggestion.product, "held": suggestion.because, "share": percent(suggestion.share),
              "similar": suggestion.similar}
    if suggestion.because and suggestion.similar:
        if suggestion.because_competitor:
            return _("Holds a competitor's %(held)s, not %(product)s: %(share)s of the %(similar)s customers "
                     "holding one hold it") % values
        return _("Holds %(held)s, not %(product)s: %(share)s of the %(similar)s customers holding %(held)s "
                 "hold it") % values
    if suggestion.because:
        if suggestion.because_competitor:
            return _("Holds a competitor's %(held)s, not %(product)s: %(share)s of similar customers hold it") % values
        return _("Holds %(held)s, not %(product)s: %(share)s of similar customers hold it") % values
    if suggestion.of_all:
        return _("Does not hold %(product)s: %(share)s of all customers hold it") % values
    return _("Does not hold %(product)s: %(share)s of similar customers hold it") % values
