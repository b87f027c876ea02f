"""Who may do what with satisfaction surveys: one table, read by the selectors and by every service.

Entities:
- `questionnaire`: read = see questionnaires and versions; write = design drafts; configure = publish.
- `response`: read = surveys and their answers (OWN: of cases one owns; TEAM: of the team's cases;
  ALL); write = record an answer taken by phone, send a survey by hand, record an opt-out.
- `action`: improvement actions; read / write (OWN: the actions one owns) / delete.
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
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE

_NOBODY = {"questionnaire": NOTHING, "response": NOTHING, "action": NOTHING, "personal_data": NOTHING}
_MANAGER = {"questionnaire": Rights(read=ALL, write=ALL, configure=True),
            "response": Rights(read=ALL, write=ALL, export=True),
            "action": Rights(read=ALL, write=ALL, delete=ALL),
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
                   "action": Rights(read=ALL, write=OWN)},
    Role.ADMIN: _MANAGER,
    SYSTEM_ROLE: {entity: EVERYTHING for entity in _NOBODY},
    CUSTOMER_ROLE: {},
}

DENIED = {
    ("questionnaire", "read"): _("Your role has no access to questionnaires."),
    ("questionnaire", "write"): _("Only service managers, analysts and administrators design questionnaires."),
    ("questionnaire", "configure"): _("Only service managers and administrators publish questionnaires."),
    ("response", "read"): _("Your role cannot see survey responses."),
    ("response", "write"): _("You cannot record surveys of this case."),
    ("action", "read"): _("Your role cannot see improvement actions."),
    ("action", "write"): _("Only the action's owner or a service manager can change it."),
    ("action", "delete"): _("Only service managers and administrators delete improvement actions."),
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with satisfaction surveys."),
                              messages=DENIED)
can = permissions.can
scope = permissions.scope
require = permissions.require
sees_personal_data = permissions.sees_personal_data


def survey_read_condition(user) -> Q:
    """The surveys `user` may read, as a filter on Survey."""
    team_id = getattr(user, "team_id", None)
    return permissions.condition(user, "response", "read", own=Q(ticket__owner_id=getattr(user, "pk", None)),
                                 team=Q(ticket__team_id=team_id) if team_id else None)


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
    return permissions.may_own(actor, "action", "write", action.owner_id)
