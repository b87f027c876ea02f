"""`/api/v1/calendars`: business calendars, their exceptions and their days (holidays and 调休)."""

import base64
import binascii
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.core.api import ListParams, cursor_list
from guanxi.core.errors import ValidationFailed
from guanxi.core.routers import Router

from ..models import BusinessCalendar
from ..schemas.calendars import CalendarDaysIn, CalendarDaysOut, CalendarExceptionIn, CalendarIn, CalendarOut
from ..selectors import calendars as calendar_selectors
from ..services import calendars as calendar_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


def _calendar_out(calendar: BusinessCalendar) -> dict:
    periods: dict[int, list] = {}
    for period in calendar.periods.all():
        periods.setdefault(period.weekday, []).append((period.start_minute, period.end_minute))
    return {"id": calendar.pk, "name": calendar.name, "timezone": calendar.timezone,
            "holiday_region": calendar.holiday_region, "makeup_template": calendar.makeup_template,
            "periods": periods,
            "exceptions": [{"date": e.date, "periods": e.periods, "note": e.note} for e in calendar.exceptions.all()]}


@router.get("/calendars", response=list[CalendarOut])
def list_calendars(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, calendar_selectors.calendar_list(), params, _calendar_out)


CALENDAR_DAYS_MAX = 366
CALENDAR_YEARS = (1990, 2100)  # the years the holiday data knows


def _day_cursor(value: str, *, start: dt.date, end: dt.date) -> dt.date:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        if not text.startswith("d1:"):
            raise ValueError(text)
        day = dt.date.fromisoformat(text[3:])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("Not a cursor of this list."), fields={"cursor": _("not a cursor of this list")}) \
            from exc
    if not start <= day <= end:
        raise ValidationFailed(fields={"cursor": _("not a cursor of this list")})
    return day


def _check_day_range(start: dt.date, end: dt.date) -> None:
    errors = {}
    low, high = CALENDAR_YEARS
    for name, day in (("from", start), ("to", end)):
        if not low <= day.year <= high:
            errors[name] = _("between %(low)s and %(high)s") % {"low": low, "high": high}
    if not errors and end < start:
        errors["to"] = _("on or after from")
    elif not errors and (end - start).days + 1 > CALENDAR_DAYS_MAX:
        errors["to"] = _("at most %(days)s days after from") % {"days": CALENDAR_DAYS_MAX}
    if errors:
        raise ValidationFailed(_("Give a range of at most %(days)s days.") % {"days": CALENDAR_DAYS_MAX},
                               fields=errors)


@router.get("/calendars/{int:calendar_id}/days", response=CalendarDaysOut)
def list_calendar_days(request: HttpRequest, calendar_id: int, params: Query[CalendarDaysIn]):
    """Working days, rest days, public holidays and make-up working days (调休) of a calendar, with
    their names and working periods, from `from` to `to` (at most 366 days), a page at a time."""
    calendar = calendar_selectors.calendar_get(calendar_id=calendar_id)
    _check_day_range(params.from_, params.to)
    first = _day_cursor(params.cursor, start=params.from_, end=params.to) if params.cursor else params.from_
    last = min(params.to, first + dt.timedelta(days=params.limit - 1))
    language = "zh_CN" if get_language().startswith("zh") else "en_US"
    days = calendar_selectors.calendar_days(calendar=calendar, start=first, end=last, language=language)
    after = last + dt.timedelta(days=1) if last < params.to else None
    return {"items": [{**vars(d), "weekday": d.date.weekday()} for d in days],
            "next_cursor": base64.urlsafe_b64encode(f"d1:{after.isoformat()}".encode()).decode().rstrip("=")
            if after else None}


@router.post("/calendars", response={201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn):
    calendar = calendar_services.calendar_save(actor=request.user, **payload.dict())
    return Status(201, _calendar_out(calendar))


@router.put("/calendars/{int:calendar_id}/exceptions", response=CalendarOut)
def set_calendar_exception(request: HttpRequest, calendar_id: int, payload: CalendarExceptionIn):
    calendar = calendar_selectors.calendar_get(calendar_id=calendar_id)
    calendar_services.calendar_exception_set(actor=request.user, calendar=calendar, **payload.dict())
    return _calendar_out(calendar)
