"""Who may do what with satisfaction surveys: one table, read by the selectors and by every service.

Entities:
- `questionnaire`: read = see questionnaires and versions; write = design drafts; configure = publish.
- `response`: read = surveys and their answers (OWN: of cases one owns; TEAM: of the team's cases;
  ALL); write = record an answer taken by phone, send a survey by hand, record an opt-out.
- `action`: improvement actions; read / write (OWN: the actions one owns) / delete.
- `wave`: survey waves (调查批次); read = see waves, their samples and response rates; write = create,
  draw the sample, launch and close (service managers and administrators; analysts read).
- `personal_data`: read = customers' phones and e-mail unmasked on survey pages and in the API.
The system (triggers, the demo) may do everything; a customer only answers their own survey through
its link (no table row: the token is the right).
"""

from __future__ import annotations

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

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE

_NOBODY = {"questionnaire": NOTHING, "response": NOTHING, "action": NOTHING, "wave": NOTHING,
           "personal_data": NOTHING}
_MANAGER = {"questionnaire": Rights(read=ALL, write=ALL, configure=True),
            "response": Rights(read=ALL, write=ALL, export=True),
            "action": Rights(read=ALL, write=ALL, delete=ALL),
            "wave": Rights(read=ALL, write=ALL),
            "personal_data": Rights(read=ALL)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: {**_NOBODY, "questionnaire": READ_ALL, "response": Rights(read=OWN, write=OWN),
                 "action": Rights(read=ALL, write=OWN)},
    Role.TEAM_LEAD: {**_NOBODY, "questionnaire": READ_ALL, "response": Rights(read=TEAM, write=TEAM),
                     "action": Rights(read=ALL, write=OWN)},
    Role.SERVICE_MANAGER: _MANAGER,
    Role.SALES_REP: _NOBODY,
    Role.SALES_MANAGER: _NOBODY,
    Role.KEY_ACCOUNT_MANAGER: _NOBODY,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {**_NOBODY, "questionnaire": Rights(read=ALL, write=ALL), "response": Rights(read=ALL, export=True),
                   "action": Rights(read=ALL, write=OWN), "wave": READ_ALL},
    Role.ADMIN: _MANAGER,
    SYSTEM_ROLE: {entity: EVERYTHING for entity in _NOBODY},
    CUSTOMER_ROLE: {},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with satisfaction surveys."))
can = permissions.can
scope = permissions.scope

DENIED = {
    ("questionnaire", "read"): _("Your role has no access to questionnaires."),
    ("questionnaire", "write"): _("Only service managers, analysts and administrators design questionnaires."),
    ("questionnaire", "configure"): _("Only service managers and administrators publish questionnaires."),
    ("response", "read"): _("Your role cannot see survey responses."),
    ("response", "write"): _("You cannot record surveys of this case."),
    ("action", "read"): _("Your role cannot see improvement actions."),
    ("action", "write"): _("Only the action's owner or a service manager can change it."),
    ("wave", "read"): _("Your role cannot see survey waves."),
    ("wave", "write"): _("Only service managers and administrators create and run survey waves."),
    ("action", "delete"): _("Only service managers and administrators delete improvement actions."),
}


def require(actor, entity: str, action: str, *, allowed: bool = True) -> None:
    permissions.require(actor, entity, action, allowed=allowed, message=DENIED.get((entity, action)))


def survey_read_condition(user) -> Q:
    """The surveys `user` may read, as a filter on Survey."""
    reach = scope(user, "response", "read")
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    own = Q(ticket__owner_id=user.pk)
    return own | Q(ticket__team_id=user.team_id) if reach is TEAM and user.team_id else own


def may_write_survey(actor, survey) -> bool:
    """Record on a survey (phone answer): ALL, the team's cases (TEAM) or one's own (OWN)."""
    reach = scope(actor, "response", "write")
    if reach is ALL:
        return True
    ticket = survey.ticket
    if reach is NONE or ticket is None:
        return False
    return ticket.owner_id == actor.pk or (reach is TEAM and bool(actor.team_id) and ticket.team_id == actor.team_id)


def may_write_action(actor, action) -> bool:
    reach = scope(actor, "action", "write")
    return reach is ALL or (reach is not NONE and action.owner_id == getattr(actor, "pk", None))


def sees_personal_data(actor) -> bool:
    return can(actor, "personal_data", "read")
