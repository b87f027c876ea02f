"""Who may do what with satisfaction surveys: one table, read by the selectors and by every service.

Entities:
- `questionnaire`: read = see questionnaires and versions; write = design drafts; configure = publish.
- `response`: read = surveys and their answers (OWN: of cases one owns; TEAM: of the team's cases;
  ALL); write = record an answer taken by phone, send a survey by hand, record an opt-out.
- `action`: improvement actions; read / write (OWN: the actions one owns) / delete.
- `wave`: survey waves (调查批次); read = see waves, their samples and response rates; write = create,
  draw the sample, launch and close (service managers and administrators; analysts read).
- `personal_data`: read = customers' phones and e-mail unmasked on survey pages and in the API.
- `analysis`: read = the satisfaction figures (CSAT, NPS, dimension scores, response rates, drivers):
  service roles by the cases (OWN: of cases one owns; TEAM: of the team's cases), sales roles by the
  customers (OWN: customers one owns; TEAM: the team's customers), ALL; export = the period report.
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
           "personal_data": NOTHING, "analysis": NOTHING}
_MANAGER = {"questionnaire": Rights(read=ALL, write=ALL, configure=True),
            "response": Rights(read=ALL, write=ALL, export=True),
            "action": Rights(read=ALL, write=ALL, delete=ALL),
            "wave": Rights(read=ALL, write=ALL),
            "personal_data": Rights(read=ALL), "analysis": Rights(read=ALL, export=True)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: {**_NOBODY, "questionnaire": READ_ALL, "response": Rights(read=OWN, write=OWN),
                 "action": Rights(read=ALL, write=OWN), "analysis": Rights(read=OWN)},
    Role.TEAM_LEAD: {**_NOBODY, "questionnaire": READ_ALL, "response": Rights(read=TEAM, write=TEAM),
                     "action": Rights(read=ALL, write=OWN), "analysis": Rights(read=TEAM)},
    Role.SERVICE_MANAGER: _MANAGER,
    Role.SALES_REP: _NOBODY,
    Role.SALES_MANAGER: {**_NOBODY, "analysis": Rights(read=TEAM, export=True)},
    Role.KEY_ACCOUNT_MANAGER: {**_NOBODY, "analysis": Rights(read=OWN, export=True)},
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {**_NOBODY, "questionnaire": Rights(read=ALL, write=ALL), "response": Rights(read=ALL, export=True),
                   "action": Rights(read=ALL, write=OWN), "wave": READ_ALL,
                   "analysis": Rights(read=ALL, export=True)},
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
    ("wave", "read"): _("Your role cannot see survey waves."),
    ("wave", "write"): _("Only service managers and administrators create and run survey waves."),
    ("action", "delete"): _("Only service managers and administrators delete improvement actions."),
    ("analysis", "read"): _("Your role cannot see the satisfaction analysis."),
    ("analysis", "export"): _("Your role cannot export the satisfaction report."),
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


# Roles whose reach is over customers (their own or their team's), not over service cases.
CUSTOMER_BASED = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER})


def analysis_condition(user) -> Q:
    """The surveys whose answers count in `user`'s satisfaction figures, as a filter on Survey: sales
    managers and key-account managers over their (team's) customers, service roles over their (team's)
    cases, analysts and service managers over all."""
    reach = scope(user, "analysis", "read")
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    base = "customer__" if getattr(user, "role", None) in CUSTOMER_BASED else "ticket__"
    own = Q(**{f"{base}owner_id": user.pk})
    return own | Q(**{f"{base}team_id": user.team_id}) if reach is TEAM and user.team_id else own


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
