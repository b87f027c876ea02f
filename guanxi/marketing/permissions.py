"""Who may do what with leads (线索): one table, read by the selectors (what a role sees) and by every
marketing service before it writes.

Entities:
- `lead`: read/write by scope; delete (ALL only); export = the list export; configure = web forms.
- `personal_data`: read = the leads whose mobile, phone and e-mail a role sees unmasked.
- `import`: write = may import a file of leads.

What the scopes mean for leads (they follow the customers' rules):
- ALL: every lead.
- TEAM: the leads of one's team, one's own and the unowned ones (the pool, 公海).
- OWN: the leads one owns or submitted; for roles that may own leads (sales), also the unowned ones
  (the pool) for reading — their contact details stay masked until a lead is someone's.
- Partners (代理商) reach only their organisation's leads (`Lead.partner`, the partner team the
  submitter belongs to) and those they submitted themselves, owned by whoever (`_partner_leads`).

The system (the public web form, the demo, tasks) may do everything; the portal's customer nothing.
There is no marketing role yet: when one is added, give it a row with ALL (as sales managers have).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_noop

from guanxi.accounts.access import (
    CUSTOMER_ROLE,
    EVERYTHING,
    SYSTEM_ROLE,
    PermissionTable,
    Rights,
    is_system,
    role_of,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope
from guanxi.customers.permissions import customer_in_scope

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE


def _role(*, read: Scope, write: Scope, personal_data: Scope, delete: Scope = NONE, export: bool = False,
          configure: bool = False) -> dict[str, Rights]:
    return {
        "lead": Rights(read, write, delete, export=export, configure=configure),
        "personal_data": Rights(read=personal_data),
        "import": Rights(write=ALL if write is not NONE else NONE),
    }


TABLE: dict[str, dict[str, Rights]] = {
    # The service side captures interest heard on calls; it sees no personal data (as for customers).
    Role.AGENT: _role(read=OWN, write=OWN, personal_data=NONE),
    Role.TEAM_LEAD: _role(read=OWN, write=OWN, personal_data=NONE),
    Role.SERVICE_MANAGER: _role(read=OWN, write=OWN, personal_data=NONE),
    Role.SALES_REP: _role(read=OWN, write=OWN, personal_data=OWN),
    Role.SALES_MANAGER: _role(read=ALL, write=ALL, personal_data=ALL, delete=ALL, export=True, configure=True),
    Role.KEY_ACCOUNT_MANAGER: _role(read=OWN, write=OWN, personal_data=OWN),
    Role.PARTNER: _role(read=OWN, write=OWN, personal_data=OWN),
    Role.ANALYST: _role(read=ALL, write=NONE, personal_data=NONE, export=True),
    Role.ADMIN: _role(read=ALL, write=ALL, personal_data=ALL, delete=ALL, export=True, configure=True),
    SYSTEM_ROLE: {"lead": EVERYTHING, "personal_data": EVERYTHING, "import": EVERYTHING},
    CUSTOMER_ROLE: {},
}

# Roles that may own leads (and see the pool).
OWNER_ROLES = (Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.ADMIN)

permissions = PermissionTable(TABLE, denied=gettext_noop("Your role cannot do this with leads."))
can = permissions.can
scope = permissions.scope

DENIED = {
    ("lead", "write"): gettext_noop("Your role cannot change this lead."),
    ("lead", "delete"): gettext_noop("Your role cannot delete leads."),
    ("lead", "configure"): gettext_noop("Only sales managers and administrators manage web forms."),
    ("import", "write"): gettext_noop("Your role cannot import leads."),
}
CREATE_DENIED = gettext_noop("Your role cannot create leads.")


def require(actor, entity: str, action: str, *, allowed: bool = True, message=None) -> None:
    permissions.require(actor, entity, action, allowed=allowed, message=message or DENIED.get((entity, action)))


def may_own(actor) -> bool:
    """Whether this actor may be a lead's owner (and sees the pool)."""
    return not is_system(actor) and (role_of(actor) in OWNER_ROLES)


def _submitted_only(actor) -> bool:
    return role_of(actor) == Role.PARTNER


def _partner_leads(actor) -> Q:
    """A partner user's leads: its organisation's (its team's) and those it submitted."""
    submitted = Q(created_by_id=actor.pk)
    return submitted | Q(partner_id=actor.team_id) if actor.team_id else submitted


def _partner_reaches(actor, lead) -> bool:
    return (lead.created_by_id is not None and lead.created_by_id == actor.pk) or (
        actor.team_id is not None and lead.partner_id == actor.team_id)


def lead_condition(actor, action: str = "read", entity: str = "lead") -> Q:
    """The leads within `actor`'s scope for `action` on `entity`, as a filter on Lead."""
    reach = scope(actor, entity, action)
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(actor):
        return Q(pk__in=[])
    if _submitted_only(actor):
        return _partner_leads(actor)
    submitted = Q(created_by_id=actor.pk)
    mine = Q(owner_id=actor.pk) | (submitted & Q(owner__isnull=True))
    if action == "read" and entity == "lead":
        mine |= submitted
        if may_own(actor):
            mine |= Q(owner__isnull=True)
    if reach is TEAM and actor.team_id:
        mine |= Q(team_id=actor.team_id)
    return mine


def lead_in_scope(actor, lead, action: str = "read", entity: str = "lead") -> bool:
    """Whether `actor` may take `action` on `entity` of this one lead (the same rule as `lead_condition`)."""
    reach = scope(actor, entity, action)
    if reach is ALL:
        return True
    if reach is NONE or is_system(actor):
        return False
    if _submitted_only(actor):
        return _partner_reaches(actor, lead)
    submitted = lead.created_by_id is not None and lead.created_by_id == actor.pk
    if lead.owner_id == actor.pk or (submitted and lead.owner_id is None):
        return True
    if action == "read" and entity == "lead" and (submitted or (lead.owner_id is None and may_own(actor))):
        return True
    return reach is TEAM and lead.team_id is not None and lead.team_id == actor.team_id


def require_lead(actor, lead, action: str = "write") -> None:
    require(actor, "lead", action, allowed=lead_in_scope(actor, lead, action))


def can_see_personal_data(actor, lead) -> bool:
    return lead_in_scope(actor, lead, "read", "personal_data")


# ---------------------------------------------------------------- campaigns (营销活动)
# Entities:
# - `campaign`: read = the campaign pages and API; write = create, edit, launch, send, cancel.
# - `response`: write = record a member's response; OWN = for the customers one may read (customers' rules).
# - `expense`: read = the claims and the ROI; write = submit a claim; configure = approve or reject it.
# - `opt_out`: read/write = a customer's 退订 record; OWN = for the customers one may read.
# Sales managers and administrators run campaigns; representatives see them and record responses
# for their customers; the service side records opt-outs customers ask for on the phone; analysts
# read; partners nothing.


def _campaign_role(*, campaign: Rights, response: Scope, expense: Rights, opt_out: Rights) -> dict[str, Rights]:
    return {"campaign": campaign, "response": Rights(read=campaign.read, write=response), "expense": expense,
            "opt_out": opt_out}


_RUNS = _campaign_role(campaign=Rights(ALL, ALL, export=True), response=ALL,
                       expense=Rights(ALL, ALL, configure=True), opt_out=Rights(ALL, ALL))
_SELLS = _campaign_role(campaign=Rights(read=ALL), response=OWN, expense=Rights(), opt_out=Rights(OWN, OWN))
_SERVES = _campaign_role(campaign=Rights(), response=NONE, expense=Rights(), opt_out=Rights(OWN, OWN))

CAMPAIGN_TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _SERVES,
    Role.TEAM_LEAD: _SERVES,
    Role.SERVICE_MANAGER: _SERVES,
    Role.SALES_REP: _SELLS,
    Role.KEY_ACCOUNT_MANAGER: _SELLS,
    Role.SALES_MANAGER: _RUNS,
    Role.ADMIN: _RUNS,
    Role.ANALYST: _campaign_role(campaign=Rights(read=ALL, export=True), response=NONE,
                                 expense=Rights(read=ALL), opt_out=Rights(read=ALL)),
    Role.PARTNER: {},
    SYSTEM_ROLE: {"campaign": EVERYTHING, "response": EVERYTHING, "expense": EVERYTHING, "opt_out": EVERYTHING},
    CUSTOMER_ROLE: {},
}

campaign_permissions = PermissionTable(CAMPAIGN_TABLE, denied=gettext_noop("Your role cannot do this with campaigns."))

CAMPAIGN_DENIED = {
    ("campaign", "read"): gettext_noop("Your role cannot see campaigns."),
    ("campaign", "write"): gettext_noop("Only sales managers and administrators run campaigns."),
    ("response", "write"): gettext_noop("You may record responses only for your own customers."),
    ("expense", "read"): gettext_noop("Your role cannot see campaign expenses."),
    ("expense", "write"): gettext_noop("Only sales managers and administrators submit campaign expenses."),
    ("expense", "configure"): gettext_noop("Only sales managers and administrators approve expenses."),
    ("opt_out", "read"): gettext_noop("Your role cannot see opt-outs."),
    ("opt_out", "write"): gettext_noop("You may record opt-outs only for your own customers."),
}


def campaign_can(actor, entity: str, action: str) -> bool:
    return campaign_permissions.can(actor, entity, action)


def campaign_require(actor, entity: str, action: str, *, allowed: bool = True) -> None:
    campaign_permissions.require(actor, entity, action, allowed=allowed, message=CAMPAIGN_DENIED.get((entity, action)))


def customer_reach(actor, entity: str, action: str, customer) -> bool:
    """Whether `actor` may take `action` on `entity` (response, opt_out) for this customer: ALL, or OWN
    for the customers the actor may read by the customers' rules."""
    reach = campaign_permissions.scope(actor, entity, action)
    if reach is ALL:
        return True
    if reach is NONE or is_system(actor):
        return False
    return customer_in_scope(actor, customer, "read")
