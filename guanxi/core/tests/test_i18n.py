from pathlib import Path

import polib
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_simplified_chinese_translation():
    catalog = polib.pofile(str(CATALOG))
    missing = [e.msgid for e in catalog if e.obsolete is False and (
        "fuzzy" in e.flags or not (e.msgstr or any(e.msgstr_plural.values())))]
    assert missing == []
