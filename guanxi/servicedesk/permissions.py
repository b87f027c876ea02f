"""Who may do what at the service desk: one table, read by the selectors (what a role sees) and
by every service before it writes (so a service called from the CLI, a task or another app is as
safe as its API).

Entities: `ticket` (a case with its conversation, status, assignments, merges, complaint workflow
and callbacks), `commitment` (promises made to customers), `article` (knowledge base; configure =
review, publish, archive), `standard`, `calendar` and `category` (configuration), `report`
(attainment and promises-kept reports) and `call` (CTI calls).

How the scopes read for each entity:
- ticket read: ALL every case; OWN the cases a user owns and those of customers they may read; for
  a customer (portal), their own cases. Ticket write: ALL; TEAM the team's cases and OWN; OWN the
  cases a user owns or is actively assigned (a callback's assignee also records that callback).
- commitment read: ALL; OWN the promises a user made, on customers they may read or on cases they
  may read. Commitment write: ALL; TEAM the promises of the team and OWN; OWN the promises a user
  made or made on a case they work on. A new promise also needs write on its case or customer.
- article read: ALL; OWN published articles and one's own drafts. Article write: ALL any
  article; OWN one's own.
- call read OWN: the calls put through to the user.
The system (sweeps, tasks, the demo, CTI webhooks) and the customer in the portal have rows of
their own (see `guanxi.accounts.access`).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import (
    CUSTOMER_ROLE,
    EVERYTHING,
    NOTHING,
    READ_ALL,
    SYSTEM_ROLE,
    PermissionTable,
    Rights,
    is_system,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope
from guanxi.customers.selectors import customer_visible_to

from .models import Commitment, Ticket

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE

CONFIGURATION = Rights(read=ALL, write=ALL, delete=ALL, configure=True)
REPORTS = Rights(read=ALL)


def _staff(*, ticket: Rights, commitment: Rights, article: Rights, configure: bool = False,
           report: bool = False) -> dict[str, Rights]:
    config = CONFIGURATION if configure else READ_ALL
    return {"ticket": ticket, "commitment": commitment, "article": article, "standard": config,
            "calendar": config, "category": config, "report": REPORTS if report else NOTHING,
            "call": Rights(read=OWN)}


TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _staff(ticket=Rights(read=ALL, write=OWN), commitment=Rights(read=ALL, write=OWN),
                       article=Rights(read=OWN, write=OWN)),
    Role.TEAM_LEAD: _staff(ticket=Rights(read=ALL, write=TEAM), commitment=Rights(read=ALL, write=TEAM),
                           article=Rights(read=ALL, write=ALL, configure=True), report=True),
    Role.SERVICE_MANAGER: _staff(ticket=Rights(read=ALL, write=ALL), commitment=Rights(read=ALL, write=ALL),
                                 article=Rights(read=ALL, write=ALL, configure=True), configure=True, report=True),
    Role.SALES_REP: _staff(ticket=Rights(read=OWN, write=OWN), commitment=Rights(read=OWN, write=OWN),
                           article=Rights(read=OWN)),
    Role.SALES_MANAGER: _staff(ticket=Rights(read=OWN, write=OWN), commitment=Rights(read=OWN, write=OWN),
                               article=Rights(read=OWN)),
    Role.KEY_ACCOUNT_MANAGER: _staff(ticket=Rights(read=OWN, write=OWN), commitment=Rights(read=OWN, write=OWN),
                                     article=Rights(read=OWN, write=OWN)),
    Role.PARTNER: _staff(ticket=Rights(read=OWN, write=OWN), commitment=Rights(read=OWN, write=OWN),
                         article=Rights(read=OWN)),
    Role.ANALYST: _staff(ticket=Rights(read=ALL), commitment=Rights(read=ALL), article=Rights(read=OWN),
                         report=True),
    Role.ADMIN: _staff(ticket=Rights(read=ALL, write=ALL), commitment=Rights(read=ALL, write=ALL),
                       article=Rights(read=ALL, write=ALL, configure=True), configure=True, report=True),
    SYSTEM_ROLE: {"ticket": EVERYTHING, "commitment": EVERYTHING, "article": EVERYTHING, "standard": EVERYTHING,
                  "calendar": EVERYTHING, "category": EVERYTHING, "report": EVERYTHING, "call": EVERYTHING},
    # The customer in the self-service portal: their own cases, nothing else.
    CUSTOMER_ROLE: {"ticket": Rights(read=OWN, write=OWN)},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this at the service desk."))
can = permissions.can
scope = permissions.scope
require = permissions.require


# ---------------------------------------------------------------- cases


def ticket_read_condition(user) -> Q | None:
    """The cases `user` may read as a filter; None for every case, `Q(pk__in=[])` for none."""
    reach = scope(user, "ticket", "read")
    if reach is ALL:
        return None
    if reach is NONE:
        return Q(pk__in=[])
    if getattr(user, "role", None) == CUSTOMER_ROLE:
        return Q(customer_id=user.customer_id)
    return Q(owner=user) | Q(customer__in=customer_visible_to(user=user))


def can_work_on(*, user, ticket: Ticket) -> bool:
    """Write on one case: everyone's (ALL), the team's (TEAM), one's own or assigned (OWN); a
    customer on their own cases."""
    reach = scope(user, "ticket", "write")
    if reach is ALL:
        return True
    if reach is NONE:
        return False
    if is_system(user):
        return ticket.customer_id is not None and ticket.customer_id == user.customer_id
    if reach is TEAM and ticket.team_id is not None and ticket.team_id == user.team_id:
        return True
    return ticket.owner_id == user.pk or ticket.assignments.filter(assignee=user, is_active=True).exists()


REPORT_DENIED = _("Attainment reports are for managers, team leads and analysts.")
WORK_DENIED = _("Only the case's owner, assignees, team lead or a service manager can change it.")


def require_ticket_create(actor, *, customer) -> None:
    """Opening a case: roles that write cases; a customer only for themselves."""
    allowed = True
    if is_system(actor) and getattr(actor, "role", None) == CUSTOMER_ROLE:
        allowed = customer is not None and customer.pk == actor.customer_id
    require(actor, "ticket", "write", allowed=allowed, message=_("Your role cannot open cases."))


def require_ticket_write(actor, ticket: Ticket) -> None:
    require(actor, "ticket", "write", allowed=can_work_on(user=actor, ticket=ticket), message=WORK_DENIED)


def require_sweep(actor, entity: str) -> None:
    """A sweep acts on every record: only actors that write everywhere run it."""
    require(actor, entity, "write", allowed=scope(actor, entity, "write") is ALL)


# ---------------------------------------------------------------- promises


def commitment_read_condition(user) -> Q | None:
    reach = scope(user, "commitment", "read")
    if reach is ALL:
        return None
    if reach is NONE:
        return Q(pk__in=[])
    readable_cases = ticket_read_condition(user)
    cases = Q(ticket__in=Ticket.objects.filter(readable_cases)) if readable_cases is not None else Q(
        ticket__isnull=False)
    return Q(promised_by=user) | Q(customer__in=customer_visible_to(user=user)) | cases


def can_manage_commitment(*, user, commitment: Commitment) -> bool:
    """Who may mark a promise kept, withdrawn or broken: the promiser, whoever works on its case,
    the team lead of the promiser's team, service managers and administrators."""
    reach = scope(user, "commitment", "write")
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if commitment.promised_by_id == user.pk:
        return True
    if reach is TEAM and commitment.team_id is not None and commitment.team_id == user.team_id:
        return True
    return commitment.ticket_id is not None and can_work_on(user=user, ticket=commitment.ticket)


COMMITMENT_DENIED = _("Only the promiser, the case's workers, their team lead or a service manager can change "
                      "this promise.")


def require_commitment_write(actor, commitment: Commitment) -> None:
    require(actor, "commitment", "write", allowed=can_manage_commitment(user=actor, commitment=commitment),
            message=COMMITMENT_DENIED)


# ---------------------------------------------------------------- knowledge


def article_read_condition(user) -> Q | None:
    from .enums import ArticleStatus

    reach = scope(user, "article", "read")
    if reach is ALL:
        return None
    if reach is NONE:
        return Q(pk__in=[])
    return Q(status=ArticleStatus.PUBLISHED) | Q(author=user)


def can_edit_article(*, user, article) -> bool:
    reach = scope(user, "article", "write")
    return reach is ALL or (reach is not NONE and article.author_id == user.pk)


def require_callback_record(actor, callback) -> None:
    """A callback is recorded by whoever works on its case, or by its assignee."""
    is_assignee = callback.assignee_id is not None and callback.assignee_id == getattr(actor, "pk", None)
    require(actor, "ticket", "write", allowed=is_assignee or can_work_on(user=actor, ticket=callback.ticket),
            message=_("Only the assignee or the case's owner records this callback."))


def can_read_ticket(*, user, ticket: Ticket) -> bool:
    condition = ticket_read_condition(user)
    return condition is None or Ticket.objects.filter(condition, pk=ticket.pk).exists()
