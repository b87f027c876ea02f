"""CSV cells: phone numbers readable and never a formula; formula-looking text guarded."""

from guanxi.core.spreadsheet import phone_for_spreadsheet, spreadsheet_cell


def test_phone_numbers_are_written_as_dialled_from_china():
    assert phone_for_spreadsheet("+8613812345678") == "138 1234 5678"
    assert phone_for_spreadsheet("+861065529988") == "010 6552 9988"
    assert phone_for_spreadsheet("+447911123456") == "00 44 7911 123456"
    assert phone_for_spreadsheet("") == ""
    for phone in ("+8613812345678", "+861065529988", "+447911123456"):
        assert spreadsheet_cell(phone_for_spreadsheet(phone)) == phone_for_spreadsheet(phone)


def test_formula_looking_text_gets_an_apostrophe():
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"):
        assert spreadsheet_cell(text) == "'" + text
    assert spreadsheet_cell("张三") == "张三" and spreadsheet_cell(None) == ""
    assert spreadsheet_cell({"name": "=x"}) == "'=x"
