from .calendars import BusinessCalendar, CalendarException, WorkingPeriod
from .standards import ServiceStandard
from .tickets import ClockPause, Ticket, TicketAssignment, TicketCategory, TicketClock, TicketMessage

__all__ = [
    "BusinessCalendar", "CalendarException", "ClockPause", "ServiceStandard", "Ticket", "TicketAssignment",
    "TicketCategory", "TicketClock", "TicketMessage", "WorkingPeriod",
]
