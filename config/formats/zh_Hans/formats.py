"""Django's zh_Hans formats, with the thousands grouping readers of Simplified Chinese business
figures expect (1,234,567 — Django's own leaves the separator empty, so intcomma printed 1234567)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
