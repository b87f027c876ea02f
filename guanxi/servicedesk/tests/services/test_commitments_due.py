"""Property: a promise "within N working hours" falls due exactly N working hours after it was
made, on the calendar it names — never on a public holiday, a weekend that is not a make-up working
day (调休), or outside the working periods."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.servicedesk.clock import chinese_public_days, working_time_between
from guanxi.servicedesk.models import BusinessCalendar
from guanxi.servicedesk.selectors.calendars import working_calendar
from guanxi.servicedesk.services.commitments import commitment_due
from guanxi.servicedesk.tests.factories import OFFICE_HOURS, office_calendar

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAYS, MAKEUP_DAYS = chinese_public_days(range(2024, 2030))

moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31),
                       timezones=st.just(SHANGHAI))


@pytest.fixture
def _today():
    # The calendar loads the public holidays of the years around today: pin today to 2026.
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=SHANGHAI), tick=False):
        yield


@given(promised_at=moments, hours=st.integers(min_value=1, max_value=80))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_due_is_n_working_hours_later_on_a_working_day(_today, promised_at, hours):
    calendar = _calendar()
    due = commitment_due(promised_at=promised_at, within_working_hours=hours, calendar=calendar)
    assert due > promised_at
    assert working_time_between(working_calendar(calendar), promised_at, due) == dt.timedelta(hours=hours)
    local = due.astimezone(SHANGHAI)
    day = local.date()
    assert day not in HOLIDAYS and (local.weekday() < 5 or day in MAKEUP_DAYS)
    minute = local.hour * 60 + local.minute + local.second / 60
    assert any(start < minute <= end for start, end in OFFICE_HOURS)


def _calendar() -> BusinessCalendar:
    """One office calendar (China's holidays) for every example (they share the test's transaction)."""
    calendar = BusinessCalendar.objects.filter(name="办公日历").first()
    return calendar or office_calendar(UserFactory(role=Role.ADMIN))
