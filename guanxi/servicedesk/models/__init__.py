from .calendars import BusinessCalendar, CalendarException, WorkingPeriod
from .complaints import Callback, Complaint, ComplaintStep
from .knowledge import Article, ArticleUse, ArticleVersion, KnowledgeCategory
from .standards import ServiceStandard
from .tickets import ClockPause, Ticket, TicketAssignment, TicketCategory, TicketClock, TicketMessage

__all__ = [
    "Article",
    "ArticleUse",
    "ArticleVersion",
    "BusinessCalendar",
    "CalendarException",
    "Callback",
    "ClockPause",
    "Complaint",
    "ComplaintStep",
    "KnowledgeCategory",
    "ServiceStandard",
    "Ticket",
    "TicketAssignment",
    "TicketCategory",
    "TicketClock",
    "TicketMessage",
    "WorkingPeriod",
]
