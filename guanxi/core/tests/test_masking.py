"""Free-text masking: numbers written straight into Chinese text are found too."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanxi.core.masking import mask_free_text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("客户13900139000报修", "13900139000"),
        ("回电+86 139 0013 9000谢谢", "0013 9000"),
        ("身份证110101199003077777已核对", "110101199003077777"),
        ("邮箱zhang.san@example.com联系", "zhang.san@example.com"),
    ],
)
def test_a_secret_inside_chinese_text_is_masked(text, secret):
    masked = mask_free_text(text)
    assert secret not in masked
    assert masked.startswith(text[:2]) and masked.endswith(text[-2:])


@pytest.mark.parametrize("text", ["订单金额1280元", "2026-12-05上门", "工单号T20261205", "共3台"])
def test_amounts_dates_and_codes_stay(text):
    assert mask_free_text(text) == text


@given(st.text(alphabet="客户报修电话联系我们", max_size=6), st.text(alphabet="客户报修电话", max_size=6))
def test_any_mobile_between_chinese_words_is_masked(before, after):
    assert "13800138000" not in mask_free_text(f"{before}13800138000{after}")
