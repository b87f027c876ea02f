"""Reads for the service desk, scoped to the caller's role."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, policy_for
from guanxi.core.chinese_text import tokens
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.masking import mask_free_text
from guanxi.core.pagination import Ordering
from guanxi.customers.selectors import can_see_personal_data, customer_visible_to

from .clock import WorkingCalendar, chinese_public_day_names, chinese_public_days
from .enums import ArticleStatus, CallStatus
from .knowledge_index import ranked_article_ids
from .models import Article, BusinessCalendar, Call, Callback, Ticket, TicketCategory, TicketClock, TicketMessage
from .models.tickets import OPEN_STATUSES

SERVICE_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN, Role.ANALYST)
_CALENDARS: dict[int, tuple[dt.datetime, WorkingCalendar]] = {}
HOLIDAYS_SINCE = 1990


CONFIGURING_ROLES = (Role.ADMIN, Role.SERVICE_MANAGER)


# Free text of a case shown by name in its audit trail, masked like the rest of its text.
CASE_TEXT_FIELDS = frozenset({"subject", "description"})
_REVEALING = re.compile(r"\d|@")


def case_text_unmasked(*, user: User, ticket: Ticket) -> bool:
    """Whether `user` reads a case's free text (subject, description, messages, hand-over notes) as
    written. The rule of the customer's personal data, so that a phone or ID number in a case is
    masked exactly where it is masked in the customer's own records and interactions; a case
    without a customer is read as written by roles that see everyone's personal data."""
    if ticket.customer_id is None:
        return policy_for(user).personal_data is Scope.ALL
    return can_see_personal_data(user=user, customer=ticket.customer)


def case_text(text: str, *, unmasked: bool) -> str:
    """One piece of a case's free text as shown: as written, or with its numbers masked."""
    return text if unmasked else mask_free_text(text)


def can_configure(user: User) -> bool:
    """Administrators and service managers keep standards, calendars and the category tree."""
    return bool(user.is_superuser or user.role in CONFIGURING_ROLES)


def working_calendar(calendar: BusinessCalendar) -> WorkingCalendar:
    """The clock engine's view of a calendar, built once per change and kept in the process."""
    cached = _CALENDARS.get(calendar.pk)
    if cached and cached[0] == calendar.updated_at:
        return cached[1]
    weekly = [[] for _ in range(7)]
    for period in calendar.periods.all():
        weekly[period.weekday].append((period.start_minute * 60, period.end_minute * 60))
    holidays, workdays = frozenset(), frozenset()
    if calendar.holiday_region == "CN":
        # From the oldest history a case can be imported with (clocks of backdated cases skip
        # the holidays of their own years) to a few years ahead.
        holidays, workdays = chinese_public_days(range(HOLIDAYS_SINCE, timezone.now().year + 3))
    exceptions = {e.date: tuple((a * 60, b * 60) for a, b in e.periods) for e in calendar.exceptions.all()}
    built = WorkingCalendar(calendar.timezone, tuple(tuple(day) for day in weekly), holidays, workdays,
                            exceptions, makeup_template=calendar.makeup_template)
    _CALENDARS[calendar.pk] = (calendar.updated_at, built)
    return built


def _read_condition(user: User) -> Q | None:
    """None means every case. Service roles see all cases; others those of customers they see."""
    if user.is_superuser or user.role in SERVICE_ROLES:
        return None
    return Q(owner=user) | Q(customer__in=customer_visible_to(user=user))


def ticket_list(*, user: User) -> QuerySet[Ticket]:
    qs = Ticket.objects.all()
    if policy_for(user).read is Scope.NONE:
        return qs.none()
    condition = _read_condition(user)
    return qs if condition is None else qs.filter(condition)


def can_work_on(*, user: User, ticket: Ticket) -> bool:
    """Owners and active assignees work on a case; team leads on their team's; managers on all."""
    if user.is_superuser or user.role in (Role.SERVICE_MANAGER, Role.ADMIN):
        return True
    if ticket.owner_id == user.pk or ticket.assignments.filter(assignee=user, is_active=True).exists():
        return True
    return user.role == Role.TEAM_LEAD and ticket.team_id is not None and ticket.team_id == user.team_id


def ticket_get_for_user(*, user: User, ticket_id: int, action: str = "read") -> Ticket:
    ticket = ticket_list(user=user).select_related("customer", "owner", "team", "category").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Case not found.")
    if action == "write" and not can_work_on(user=user, ticket=ticket):
        raise PermissionDenied("Only the case's owner, assignees, team lead or a service manager can change it.")
    return ticket


TICKET_ORDERING = Ordering(
    allowed=("next_due_at", "created_at", "updated_at", "priority", "number", "id"), default="next_due_at"
)


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()
    owner_id: int | None = None
    team_id: int | None = None
    type: str = ""
    priority: int | None = None
    customer_id: int | None = None
    breached: bool | None = None
    query: str = ""


def ticket_queue(*, user: User, filters: TicketFilter, ordering: str | None = None) -> QuerySet[Ticket]:
    """Filtered, ordered cases the user may read ("open" stands for every open status)."""
    qs = ticket_list(user=user)
    statuses = set(filters.statuses)
    if "open" in statuses:
        statuses = (statuses - {"open"}) | set(OPEN_STATUSES) if statuses != {"open"} else set(OPEN_STATUSES)
    if statuses:
        qs = qs.filter(status__in=statuses)
    simple = {"owner_id": filters.owner_id, "team_id": filters.team_id, "type": filters.type,
              "priority": filters.priority, "customer_id": filters.customer_id}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.breached is not None:
        qs = qs.filter(breached_at__isnull=not filters.breached)
    if filters.query.strip():
        query = filters.query.strip()
        qs = qs.filter(Q(number=query.upper()) | _subject_condition(user, query))
    order = TICKET_ORDERING.resolve(ordering)
    if order[0] == "next_due_at":
        order = [F("next_due_at").asc(nulls_last=True), "id"]
    return qs.select_related("customer", "owner", "team").order_by(*order)


def _subject_condition(user: User, query: str) -> Q:
    """Part of a subject. Numbers and e-mail addresses in subjects are masked for roles that do not
    see everyone's personal data, so for them a query with digits or "@" does not search subjects
    (else a masked phone number could be read back by searching its digits one by one)."""
    if policy_for(user).personal_data is not Scope.ALL and _REVEALING.search(query):
        return Q(pk__in=[])
    return Q(subject__contains=query)


def ticket_detail(*, ticket: Ticket) -> dict:
    return {
        "clocks": list(ticket.clocks.select_related("standard").order_by("started_at", "id")),
        "pauses": list(ticket.pauses.all()),
        "messages": list(ticket.messages.select_related("author")),
        "assignments": list(ticket.assignments.select_related("assignee")),
    }


def callback_list(*, user: User, pending_only: bool = True) -> QuerySet[Callback]:
    """Callbacks on cases the user may read; pending ones first by due time."""
    qs = Callback.objects.filter(ticket__in=ticket_list(user=user)).select_related("ticket", "assignee")
    if pending_only:
        qs = qs.filter(done_at__isnull=True)
    return qs.order_by("due_at", "id")


def callback_get_for_user(*, user: User, callback_id: int) -> Callback:
    callback = callback_list(user=user, pending_only=False).filter(pk=callback_id).first()
    if callback is None:
        raise NotFound("Callback not found.")
    if not can_work_on(user=user, ticket=callback.ticket) and callback.assignee_id != user.pk:
        raise PermissionDenied("Only the assignee or the case's owner records this callback.")
    return callback


def article_search(*, query: str, limit: int = 20) -> list[tuple[Article, float]]:
    """Published articles matching any word of `query` (jieba-tokenised), best first."""
    terms = list(dict.fromkeys(tokens(query)))[:30]
    ranked = ranked_article_ids(terms, limit=limit * 3)
    published = Article.objects.filter(pk__in=[pk for pk, _ in ranked], status=ArticleStatus.PUBLISHED)
    by_id = {a.pk: a for a in published.select_related("category")}
    return [(by_id[pk], score) for pk, score in ranked if pk in by_id][:limit]


def article_suggestions(*, ticket: Ticket, limit: int = 5) -> list[tuple[Article, float]]:
    """Articles that fit a case, from its subject and description."""
    return article_search(query=f"{ticket.subject} {ticket.description}", limit=limit)


def article_list(*, user: User) -> QuerySet[Article]:
    """Published articles for everyone; drafts and reviews for their authors and the reviewers."""
    qs = Article.objects.select_related("category", "author")
    if user.is_superuser or user.role in (Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN):
        return qs
    return qs.filter(Q(status=ArticleStatus.PUBLISHED) | Q(author=user))


def article_get_for_user(*, user: User, article_id: int) -> Article:
    article = article_list(user=user).filter(pk=article_id).first()
    if article is None:
        raise NotFound("Article not found.")
    return article


# ---------------------------------------------------------------- reads for the service desk pages


def ticket_get_by_number(*, user: User, number: str, action: str = "read") -> Ticket:
    """A case by its number, scoped like ticket_get_for_user."""
    ticket_id = ticket_list(user=user).filter(number=number.strip().upper()).values_list("pk", flat=True).first()
    if ticket_id is None:
        raise NotFound("Case not found.")
    return ticket_get_for_user(user=user, ticket_id=ticket_id, action=action)


def ticket_due_states(*, ticket_ids: list[int], now: dt.datetime | None = None) -> dict[int, str]:
    """Per case: "breached" when a clock is past its due time, "warned" past its warning time."""
    return {ticket_id: state for ticket_id, (state, _) in ticket_due_details(ticket_ids=ticket_ids, now=now).items()}


def ticket_due_details(*, ticket_ids: list[int], now: dt.datetime | None = None
                       ) -> dict[int, tuple[str, dt.datetime | None]]:
    """Per case: ("breached", since when it is overdue) when a clock is past its due time,
    ("warned", None) past its warning time; one query."""
    now = now or timezone.now()
    states: dict[int, tuple[str, dt.datetime | None]] = {}
    clocks = TicketClock.objects.filter(ticket_id__in=ticket_ids).filter(
        Q(breached_at__isnull=False) | Q(stopped_at__isnull=True, due_at__lt=now)
        | Q(stopped_at__isnull=True, warn_at__lte=now) | Q(stopped_at__isnull=True, warned_at__isnull=False)
    ).values_list("ticket_id", "breached_at", "due_at", "stopped_at")
    for ticket_id, breached_at, due, stopped_at in clocks:
        if breached_at is not None or (stopped_at is None and due is not None and due < now):
            since = min(filter(None, (due, breached_at)))
            state, earlier = states.get(ticket_id, ("", None))
            states[ticket_id] = ("breached", min(since, earlier) if state == "breached" else since)
        else:
            states.setdefault(ticket_id, ("warned", None))
    return states


def ticket_counts_by_status(*, user: User) -> list[tuple[str, int]]:
    """Open cases the user may read, counted by status (home page chart)."""
    from django.db.models import Count

    rows = (ticket_list(user=user).filter(status__in=OPEN_STATUSES).values_list("status")
            .annotate(n=Count("id")).order_by("status"))
    counts = dict(rows)
    return [(status, counts[status]) for status in OPEN_STATUSES if status in counts]


def ticket_case_extras(*, ticket: Ticket) -> dict:
    """The complaint (with its steps) and the callbacks of one case already read through a scoped selector."""
    from .models import Complaint

    complaint = Complaint.objects.filter(ticket=ticket).select_related("responsible_team").first()
    return {
        "complaint": complaint,
        "complaint_steps": list(complaint.steps.select_related("actor")) if complaint else [],
        "callbacks": list(ticket.callbacks.select_related("assignee", "done_by").order_by("due_at", "id")),
    }


def callback_worklist(*, user: User, pending_only: bool = True) -> QuerySet[Callback]:
    """callback_list with the user's own callbacks first."""
    from django.db.models import Case, IntegerField, Value, When

    mine_first = Case(When(assignee=user, then=Value(0)), default=Value(1), output_field=IntegerField())
    return callback_list(user=user, pending_only=pending_only).order_by(mine_first, "done_at", "due_at", "id")


POP_WINDOW = dt.timedelta(minutes=15)


def call_pop_for_agent(*, user: User) -> Call | None:
    """The agent's current call (ringing or answered, recent), for the screen pop."""
    return (
        Call.objects.filter(agent=user, status__in=[CallStatus.RINGING, CallStatus.ANSWERED],
                            started_at__gte=timezone.now() - POP_WINDOW)
        .select_related("customer").order_by("-started_at").first()
    )


def attachment_get_for_user(*, user: User, message_id: int) -> TicketMessage:
    """A message with an attachment on a case the user may read; NotFound otherwise."""
    message = TicketMessage.objects.filter(pk=message_id).exclude(attachment="").first()
    if message is None:
        raise NotFound("Attachment not found.")
    ticket_get_for_user(user=user, ticket_id=message.ticket_id)
    return message


@dataclass(frozen=True)
class CategoryNode:
    category: TicketCategory
    depth: int
    path: str
    is_used: bool
    has_children: bool


def category_tree() -> list[CategoryNode]:
    """Every case category in tree order (parents before their children, siblings by name), with
    whether cases use it — one query, an EXISTS per row over the ticket category index."""
    rows = list(TicketCategory.objects.annotate(
        is_used=Exists(Ticket.objects.filter(category=OuterRef("pk")))).order_by("name"))
    children: dict[int | None, list[TicketCategory]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    nodes: list[CategoryNode] = []

    def walk(parent_id, depth, prefix):
        for row in children.get(parent_id, []):
            path = f"{prefix} / {row.name}" if prefix else row.name
            nodes.append(CategoryNode(row, depth, path, row.is_used, row.pk in children))
            walk(row.pk, depth + 1, path)

    walk(None, 0, "")
    return nodes


def category_get(*, category_id: int) -> TicketCategory:
    category = TicketCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.")
    return category


@dataclass(frozen=True)
class CalendarDay:
    """One day of a business calendar as a person plans with it."""

    date: dt.date
    kind: str  # working, rest, holiday, makeup (调休 working day) or exception (set by hand)
    is_working: bool
    name: str  # the holiday's name, the make-up day's holiday, an exception's note
    periods: list[tuple[int, int]]  # working periods in minutes since midnight


MAKEUP_REACH = 14  # a make-up working day lies within two weeks of the holiday it makes up for


def calendar_days(*, calendar: BusinessCalendar, start: dt.date, end: dt.date, language: str) -> list[CalendarDay]:
    """Each day from `start` to `end` (inclusive): exception > holiday > make-up day > weekly pattern,
    as the service clocks count them; names from the calendar's holiday data (`language` zh_CN or en_US)."""
    weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for period in calendar.periods.all():
        weekly[period.weekday].append((period.start_minute, period.end_minute))
    exceptions = {e.date: e for e in calendar.exceptions.filter(date__gte=start, date__lte=end)}
    names: dict[dt.date, str] = {}
    makeup: frozenset[dt.date] = frozenset()
    if calendar.holiday_region == "CN":
        years = range(start.year - 1, end.year + 2)  # a make-up day may lie in the year next to its holiday
        names = chinese_public_day_names(years, language)
        makeup = chinese_public_days(years)[1]
    days, day = [], start
    while day <= end:
        days.append(_calendar_day(day, weekly, calendar.makeup_template, exceptions, names, makeup))
        day += dt.timedelta(days=1)
    return days


def _calendar_day(day, weekly, makeup_template, exceptions, names, makeup) -> CalendarDay:
    if day in exceptions:
        exception = exceptions[day]
        periods = [tuple(p) for p in exception.periods]
        return CalendarDay(day, "exception", bool(periods), exception.note, periods)
    if day in names:
        return CalendarDay(day, "holiday", False, names[day], [])
    if day in makeup:
        return CalendarDay(day, "makeup", True, _makeup_name(day, names), list(weekly[makeup_template]))
    periods = list(weekly[day.weekday()])
    return CalendarDay(day, "working" if periods else "rest", bool(periods), "", periods)


def _makeup_name(day: dt.date, names: dict[dt.date, str]) -> str:
    """「国庆节调休上班」: named after the nearest holiday."""
    near = [h for h in names if abs((h - day).days) <= MAKEUP_REACH]
    if not near:
        return gettext("Make-up working day")
    holiday = names[min(near, key=lambda h: (abs((h - day).days), h))]
    return gettext("%(holiday)s make-up working day") % {"holiday": holiday}
