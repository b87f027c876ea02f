"""Care occasions on the calendar: lunar festivals, lunar and solar birthdays and public holidays.

The lunar calendar comes from borax (solar↔lunar with explicit leap months, 1900–2100), the public
holidays of China from `holidays`. Conventions for lunar birthdays (农历生日):
- a birthday recurs on its lunar month and day in the ordinary (non-leap) month, also for people
  born in a leap month (闰月), as most families keep it; leap months therefore hold no birthdays;
- a birthday on day 30 falls on day 29 in a year whose month has only 29 days (小月).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from borax.calendars.lunardate import InvalidLunarDateError, LCalendars, LunarDate

from .enums import Festival, OccasionKind, PublicHoliday

FESTIVALS = {  # lunar (month, day)
    Festival.SPRING: (1, 1), Festival.LANTERN: (1, 15), Festival.DRAGON_BOAT: (5, 5), Festival.QIXI: (7, 7),
    Festival.MID_AUTUMN: (8, 15), Festival.DOUBLE_NINTH: (9, 9), Festival.LABA: (12, 8),
}
# The names `holidays` gives China's solar public holidays (en_US), by our code.
HOLIDAY_NAMES = {PublicHoliday.NEW_YEAR: "New Year's Day", PublicHoliday.LABOUR_DAY: "Labor Day",
                 PublicHoliday.NATIONAL_DAY: "National Day"}
FIRST_YEAR, LAST_YEAR = 1901, 2099  # whole lunar years inside borax's range


def lunar_of(day: dt.date) -> LunarDate | None:
    """The lunar date of a solar day, or None outside the supported range."""
    try:
        return LunarDate.from_solar(day)
    except (InvalidLunarDateError, ValueError, IndexError):
        return None


def festival_date(festival: str, lunar_year: int) -> dt.date:
    """The solar date of a lunar festival in a lunar year (腊八 of lunar 2026 is in January 2027)."""
    month, day = FESTIVALS[festival]
    return LunarDate(lunar_year, month, day, 0).to_solar_date()


def festival_on(day: dt.date) -> str | None:
    """The lunar festival falling on a solar day, if any."""
    lunar = lunar_of(day)
    if lunar is None or lunar.leap:
        return None
    for festival, month_day in FESTIVALS.items():
        if month_day == (lunar.month, lunar.day):
            return festival
    return None


def public_holiday_on(day: dt.date) -> str | None:
    """The solar public holiday whose first day is `day` (元旦, 劳动节, 国庆节), if any."""
    calendar = holidays.country_holidays("CN", years=[day.year - 1, day.year], language="en_US")
    names, before = calendar.get_list(day), calendar.get_list(day - dt.timedelta(days=1))
    for code, name in HOLIDAY_NAMES.items():
        if name in names and name not in before:
            return code
    return None


def _month_days(year: int, month: int) -> int:
    return LCalendars.ndays(year, month, 0)


def lunar_birthday(birth: dt.date, lunar_year: int) -> dt.date | None:
    """The solar date on which someone born on `birth` keeps their lunar birthday in `lunar_year`
    (None outside the calendar's range or before their birth)."""
    born = lunar_of(birth)
    if born is None or not FIRST_YEAR <= lunar_year <= LAST_YEAR or lunar_year < born.year:
        return None
    day = min(born.day, _month_days(lunar_year, born.month))
    return LunarDate(lunar_year, born.month, day, 0).to_solar_date()


@lru_cache(maxsize=512)
def lunar_birth_dates_on(day: dt.date) -> tuple[dt.date, ...]:
    """Every solar birth date (1901 onwards, before `day`) whose lunar birthday is kept on `day`:
    the set a query matches against the customers' birth dates. Empty in a leap month."""
    lunar = lunar_of(day)
    if lunar is None or lunar.leap or not FIRST_YEAR <= lunar.year <= LAST_YEAR:
        return ()
    days = [lunar.day]
    if lunar.day == 29 == _month_days(lunar.year, lunar.month):
        days.append(30)  # born on day 30: kept on the last day of a short month
    births = []
    for year in range(FIRST_YEAR, lunar.year):
        for leap in (0, 1):
            for born_day in days:
                try:
                    births.append(LunarDate(year, lunar.month, born_day, leap).to_solar_date())
                except InvalidLunarDateError:
                    continue
    return tuple(sorted(births))


def solar_birthday(birth: dt.date, year: int) -> dt.date:
    """The solar birthday in `year`; 29 February is kept on 28 February in common years."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def solar_birth_month_days_on(day: dt.date) -> tuple[tuple[int, int], ...]:
    """The (month, day) birth dates whose solar birthday is kept on `day`."""
    if (day.month, day.day) == (2, 28) and not _is_leap(day.year):
        return ((2, 28), (2, 29))
    return ((day.month, day.day),)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def anniversary_month_days_on(day: dt.date) -> tuple[tuple[int, int], ...]:
    """Anniversaries follow the solar birthday rule (a 29 February contract: 28 February)."""
    return solar_birth_month_days_on(day)


def next_festival_dates(festival: str, after: dt.date, count: int = 3) -> list[dt.date]:
    """The next `count` solar dates (from `after` on) of a lunar festival."""
    found: list[dt.date] = []
    lunar = lunar_of(after)
    year = (lunar.year if lunar else after.year) - 1
    while len(found) < count and year < LAST_YEAR:
        year += 1
        if year < FIRST_YEAR:
            continue
        day = festival_date(festival, year)
        if day >= after:
            found.append(day)
    return found


def next_holiday_dates(holiday: str, after: dt.date, count: int = 3) -> list[dt.date]:
    """The next `count` first days (from `after` on) of a solar public holiday."""
    found: list[dt.date] = []
    name = HOLIDAY_NAMES[holiday]
    for year in range(after.year, after.year + count + 1):
        calendar = holidays.country_holidays("CN", years=[year], language="en_US")
        days = sorted(d for d, names in ((d, calendar.get_list(d)) for d in calendar) if name in names)
        found.extend(d for d in days if d >= after and public_holiday_on(d) == holiday)
    return sorted(found)[:count]


def next_occasion_dates(occasion: str, key: str, after: dt.date, count: int = 3) -> list[dt.date]:
    """The next dates a rule's occasion falls on (festivals and public holidays); birthdays and
    contract anniversaries are each customer's own day, so none."""
    if occasion == OccasionKind.LUNAR_FESTIVAL and key in FESTIVALS:
        return next_festival_dates(key, after, count)
    if occasion == OccasionKind.PUBLIC_HOLIDAY and key in HOLIDAY_NAMES:
        return next_holiday_dates(key, after, count)
    return []
