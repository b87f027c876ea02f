from guanxi.servicedesk.services.calendars import calendar_save
from guanxi.servicedesk.services.standards import standard_save

OFFICE_HOURS = [(9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)]  # lunch 12:00–13:30


def office_calendar(actor, name="办公日历", holiday_region="CN"):
    return calendar_save(actor=actor, name=name, periods={d: OFFICE_HOURS for d in range(5)},
                         holiday_region=holiday_region)


def make_standard(actor, calendar, **data):
    data = {"code": f"std-{data.get('metric', 'resolution')}-{data.get('customer_tier', '')}-"
                    f"{data.get('ticket_type', '')}-{data.get('target_minutes', 60)}",
            "name": "标准", "metric": "resolution", "target_minutes": 60, "calendar": calendar, **data}
    return standard_save(actor=actor, data=data)
