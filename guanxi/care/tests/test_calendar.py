"""Lunar festivals on the right dates for 2026–2030 (a table checked against published calendars
and the `holidays` package's own lunisolar implementation), and lunar birthdays property-tested:
leap months and day 30 in a 29-day month."""

import datetime as dt

import holidays
import pytest
from borax.calendars.lunardate import LCalendars, LunarDate
from hypothesis import given, settings
from hypothesis import strategies as st

from ..calendar import (
    festival_date,
    festival_on,
    lunar_birth_dates_on,
    lunar_birthday,
    lunar_of,
    public_holiday_on,
    solar_birth_month_days_on,
    solar_birthday,
)
from ..enums import Festival, PublicHoliday

D = dt.date
# Published dates (Hong Kong Observatory / 中华人民共和国国务院办公厅 holiday notices for 2026).
KNOWN = {
    Festival.SPRING: [D(2026, 2, 17), D(2027, 2, 6), D(2028, 1, 26), D(2029, 2, 13), D(2030, 2, 3)],
    Festival.LANTERN: [D(2026, 3, 3), D(2027, 2, 20), D(2028, 2, 9), D(2029, 2, 27), D(2030, 2, 17)],
    Festival.DRAGON_BOAT: [D(2026, 6, 19), D(2027, 6, 9), D(2028, 5, 28), D(2029, 6, 16), D(2030, 6, 5)],
    Festival.QIXI: [D(2026, 8, 19), D(2027, 8, 8), D(2028, 8, 26), D(2029, 8, 16), D(2030, 8, 5)],
    Festival.MID_AUTUMN: [D(2026, 9, 25), D(2027, 9, 15), D(2028, 10, 3), D(2029, 9, 22), D(2030, 9, 12)],
    Festival.DOUBLE_NINTH: [D(2026, 10, 18), D(2027, 10, 8), D(2028, 10, 26), D(2029, 10, 16), D(2030, 10, 5)],
    Festival.LABA: [D(2027, 1, 15), D(2028, 1, 4), D(2029, 1, 22), D(2030, 1, 11), D(2031, 1, 1)],
}
HOLIDAY_NAMES = {Festival.SPRING: "Chinese New Year (Spring Festival)", Festival.DRAGON_BOAT: "Dragon Boat Festival",
                 Festival.MID_AUTUMN: "Mid-Autumn Festival"}


@pytest.mark.parametrize("festival", list(KNOWN))
def test_festivals_2026_to_2030(festival):
    for year, expected in zip(range(2026, 2031), KNOWN[festival], strict=True):
        assert festival_date(festival, year) == expected
        assert festival_on(expected) == festival
        assert festival_on(expected - dt.timedelta(days=1)) != festival


@pytest.mark.parametrize("festival", list(HOLIDAY_NAMES))
def test_festivals_agree_with_the_holidays_package(festival):
    """`holidays` computes the Chinese calendar by its own tables: an independent check."""
    for year in range(2026, 2031):
        names = holidays.country_holidays("CN", years=year, language="en_US").get_list(festival_date(festival, year))
        assert HOLIDAY_NAMES[festival] in " ".join(names)


def test_public_holidays_on_their_first_day_only():
    assert public_holiday_on(D(2026, 10, 1)) == PublicHoliday.NATIONAL_DAY
    assert public_holiday_on(D(2026, 10, 2)) is None
    assert public_holiday_on(D(2027, 1, 1)) == PublicHoliday.NEW_YEAR
    assert public_holiday_on(D(2028, 5, 1)) == PublicHoliday.LABOUR_DAY
    assert public_holiday_on(D(2026, 3, 3)) is None


def test_leap_month_birthday_is_kept_in_the_ordinary_month():
    born = D(2023, 3, 22)  # 闰二月初一 of 2023
    assert lunar_of(born).leap == 1 and (lunar_of(born).month, lunar_of(born).day) == (2, 1)
    assert lunar_birthday(born, 2024) == LunarDate(2024, 2, 1, 0).to_solar_date()
    # in a year with a leap month, nobody's lunar birthday falls inside it
    leap_day = LunarDate(2028, 5, 10, 1).to_solar_date()
    assert lunar_birth_dates_on(leap_day) == ()


def test_day_thirty_in_a_short_month_falls_on_day_29():
    long_year = next(y for y in range(1990, 2000) if LCalendars.ndays(y, 3, 0) == 30)
    short_year = next(y for y in range(2026, 2040) if LCalendars.ndays(y, 3, 0) == 29)
    born = LunarDate(long_year, 3, 30, 0).to_solar_date()
    kept = lunar_birthday(born, short_year)
    assert kept == LunarDate(short_year, 3, 29, 0).to_solar_date()
    assert born in lunar_birth_dates_on(kept)


def test_solar_birthday_on_29_february():
    assert solar_birthday(D(2000, 2, 29), 2027) == D(2027, 2, 28)
    assert solar_birthday(D(2000, 2, 29), 2028) == D(2028, 2, 29)
    assert solar_birth_month_days_on(D(2027, 2, 28)) == ((2, 28), (2, 29))
    assert solar_birth_month_days_on(D(2028, 2, 28)) == ((2, 28),)


births = st.dates(min_value=D(1901, 3, 1), max_value=D(2060, 12, 31))


@settings(max_examples=300, deadline=None)
@given(birth=births, ahead=st.integers(min_value=1, max_value=38))
def test_lunar_birthday_round_trip(birth, ahead):
    """The day a lunar birthday is kept lists that birth date; kept on the same lunar month, on its
    day or the month's last, never in a leap month, once per lunar year."""
    year = lunar_of(birth).year + ahead
    kept = lunar_birthday(birth, year)
    born, lunar = lunar_of(birth), lunar_of(kept)
    assert lunar.year == year and lunar.leap == 0 and lunar.month == born.month
    assert lunar.day == min(born.day, LCalendars.ndays(year, born.month, 0))
    assert birth in lunar_birth_dates_on(kept)


@settings(max_examples=150, deadline=None)
@given(day=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)))
def test_every_listed_birth_date_is_kept_on_that_day(day):
    year = lunar_of(day).year
    for birth in lunar_birth_dates_on(day)[-40:]:
        assert lunar_birthday(birth, year) == day
