"""Numbers inside Chinese free text are masked: a CJK character is a word character to `re`, so the
number's boundary must not be a word boundary."""

from guanxi.core.masking import mask_free_text


def test_phone_and_id_numbers_glued_to_chinese_text_are_masked():
    assert mask_free_text("联系电话13812345678") == "联系电话138****5678"
    assert "199003071234" not in mask_free_text("身份证号110101199003071234号")


def test_codes_amounts_and_dates_stay_as_written():
    for text in ("订单号AB13812345678", "金额100元，日期2026-05-01"):
        assert mask_free_text(text) == text
