"""Values written into CSV files that people open in a spreadsheet.

A cell that starts with =, +, - or @ (or a tab or carriage return) is run as a formula by Excel
and its kin (CSV injection); such text gets a leading apostrophe. Phone numbers are data, not
formulas: they are written as people dial them from China (138 1234 5678, 010 6552 9988,
00 44 7911 123456), which no spreadsheet evaluates and which need no apostrophe.
"""

import phonenumbers

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """`value` as the text of one cell, guarded against being run as a formula."""
    if isinstance(value, dict):
        value = value["name"]
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def phone_for_spreadsheet(e164: str | None) -> str:
    """A stored phone number (E.164) written as dialled from China, groups separated by spaces:
    readable, and text (not a number or a formula) in any spreadsheet."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_out_of_country_calling_number(number, "CN")
