"""The pure rules of taking a person's identifiers out of values."""

from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from guanxi.privacy.scrub import REDACTED, Identifiers, phone_forms, scrub_free_text, scrub_value

NOTE = models.TextField()
SHORT = models.CharField(max_length=12)


def test_a_mobile_is_known_in_the_forms_people_write_it():
    assert phone_forms("+8613987654321") == {"13987654321", "139 8765 4321", "139-8765-4321", "+8613987654321"}
    assert phone_forms("欧阳") == set()


def test_free_text_loses_contact_details_but_keeps_dates_and_amounts():
    text = "2026-03-02 10点来电，金额 1000.00 元，回拨 010-6552 9988，邮箱 a.b@example.com，身份证 110105199003071239"
    expected = f"2026-03-02 10点来电，金额 1000.00 元，回拨 {REDACTED}，邮箱 {REDACTED}，身份证 {REDACTED}"
    assert scrub_free_text(text) == expected


def test_identifiers_are_replaced_longest_first_and_json_is_walked():
    ids = Identifiers.of(["欧阳晓燕", "+8613987654321", "", "x"])
    assert "x" not in ids.values and ids.values[0] == "+8613987654321"
    assert scrub_value(NOTE, "欧阳晓燕 拨打 13987654321", ids) == f"{REDACTED} 拨打 {REDACTED}"
    assert scrub_value(models.JSONField(), {"name": ["欧阳晓燕"], "n": 3}, ids) == {"name": [REDACTED], "n": 3}
    assert scrub_value(models.IntegerField(), 42, ids) == 42


@given(st.text(max_size=12), st.sampled_from(["张三", "李四娃", "13987654321"]))
def test_a_scrubbed_short_field_never_outgrows_its_column_nor_keeps_the_identifier(text, identifier):
    value = (text + identifier)[:12] if len(text + identifier) <= 12 else identifier
    scrubbed = scrub_value(SHORT, value, Identifiers.of([identifier]))
    assert len(scrubbed) <= 12 and identifier not in scrubbed
