import datetime as dt
import zoneinfo

from django.db import transaction

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed

from .. import permissions
from ..clock import CalendarError, validate_periods
from ..models import BusinessCalendar, CalendarException, WorkingPeriod
from .clocks import standards_changed
from .standards import CONFIGURE_DENIED

HOLIDAY_REGIONS = ("", "CN")


def _checked_week(periods: dict[int, list[tuple[int, int]]]) -> dict[int, tuple]:
    week, errors = {}, {}
    for weekday, day in periods.items():
        if not 0 <= int(weekday) <= 6:
            errors[f"periods.{weekday}"] = "weekday must be 0 (Monday) to 6 (Sunday)"
            continue
        try:
            week[int(weekday)] = validate_periods((int(a) * 60, int(b) * 60) for a, b in day)
        except CalendarError as exc:
            errors[f"periods.{weekday}"] = str(exc)
        except (TypeError, ValueError):
            errors[f"periods.{weekday}"] = "[[start, end], …] in minutes since midnight"
    if errors:
        raise ValidationFailed(fields=errors)
    if not any(week.values()):
        raise ValidationFailed(fields={"periods": "a calendar needs some working time"})
    return week


@transaction.atomic
def calendar_save(
    *, actor, name: str, periods: dict[int, list[tuple[int, int]]], timezone: str = "Asia/Shanghai",
    holiday_region: str = "CN", makeup_template: int = 0, calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    """Create or replace a calendar with its weekly periods (minutes since midnight, 1440 = 24:00);
    administrators and service managers."""
    permissions.require(actor, "calendar", "configure", message=CONFIGURE_DENIED)
    errors = {}
    if timezone not in zoneinfo.available_timezones():
        errors["timezone"] = "unknown time zone"
    if holiday_region not in HOLIDAY_REGIONS:
        errors["holiday_region"] = "CN or empty"
    if not name.strip() or len(name) > 100:
        errors["name"] = "required, at most 100 characters"
    elif BusinessCalendar.objects.exclude(pk=getattr(calendar, "pk", None)).filter(name=name.strip()).exists():
        errors["name"] = "a calendar with this name exists"
    if not 0 <= makeup_template <= 6:
        errors["makeup_template"] = "0 (Monday) to 6 (Sunday)"
    if errors:
        raise ValidationFailed(fields=errors)
    week = _checked_week(periods)
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.timezone = name.strip(), timezone
    calendar.holiday_region, calendar.makeup_template = holiday_region, makeup_template
    calendar._history_user = user_of(actor)
    calendar.save()
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=day, start_minute=a // 60, end_minute=b // 60)
        for day, spans in week.items() for a, b in spans
    )
    standards_changed()  # cached standards carry their calendar
    return calendar


@transaction.atomic
def calendar_exception_set(
    *, actor, calendar: BusinessCalendar, date: dt.date, periods: list[tuple[int, int]], note: str = ""
) -> CalendarException:
    """Replace one date's working periods (empty list: closed that day); administrators and service
    managers."""
    permissions.require(actor, "calendar", "configure", message=CONFIGURE_DENIED)
    try:
        spans = validate_periods((int(a) * 60, int(b) * 60) for a, b in periods)
    except (CalendarError, TypeError, ValueError) as exc:
        raise ValidationFailed(fields={"periods": str(exc)}) from exc
    exception, _ = CalendarException.objects.update_or_create(
        calendar=calendar, date=date,
        defaults={"periods": [[a // 60, b // 60] for a, b in spans], "note": note[:100]},
    )
    calendar._history_user = user_of(actor)
    calendar.save(update_fields=["updated_at"])  # the cached working calendar is keyed on it
    standards_changed()
    return exception
