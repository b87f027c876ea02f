from .calendars import BusinessCalendar, CalendarException, WorkingPeriod
from .complaints import Callback, Complaint, ComplaintStep
from .standards import ServiceStandard
from .tickets import ClockPause, Ticket, TicketAssignment, TicketCategory, TicketClock, TicketMessage

__all__ = [
    "BusinessCalendar",
    "CalendarException",
    "Callback",
    "ClockPause",
    "Complaint",
    "ComplaintStep",
    "ServiceStandard",
    "Ticket",
    "TicketAssignment",
    "TicketCategory",
    "TicketClock",
    "TicketMessage",
    "WorkingPeriod",
]
