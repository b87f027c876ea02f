from .calendars import BusinessCalendar, CalendarException, WorkingPeriod
from .calls import Call, CtiEvent
from .commitments import Commitment
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
    "Call",
    "Callback",
    "ClockPause",
    "Commitment",
    "Complaint",
    "ComplaintStep",
    "CtiEvent",
    "KnowledgeCategory",
    "ServiceStandard",
    "Ticket",
    "TicketAssignment",
    "TicketCategory",
    "TicketClock",
    "TicketMessage",
    "WorkingPeriod",
]
