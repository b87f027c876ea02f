"""Who may do what in analytics (分析): one table, read by the selectors and every service.

Entities:
- `warehouse`: read = see the star schema's refresh status; write = start a refresh by hand.
- `dashboard_customers`, `dashboard_sales`, `dashboard_service`: read = see the executive dashboard's
  cards of customers (stages, churn), of sales (ARPU, revenue and receivables, pipeline) and of
  service (case volume, attainment, satisfaction). The records behind a card are then listed through
  their own app's scoping: a figure is company-wide, its records only those the viewer may read.
- `explorer` (多维分析): read = may open the OLAP explorer (which rows count is each fact's own app's
  read scope, applied by `explorer.query`); export = download a pivot as XLSX.
- `explorer_view`: saved views. read = one's own and those shared with one's team or everyone;
  write/delete = one's own (ALL: anyone's).
- `churn_model`: read = see the churn models' quality; write = train one.
- `churn_score`: read = see customers' churn risk and reasons; the customers are those the user may
  read in customers (its table scopes the rows), with personal data masked as it masks it.
- `mining` (数据挖掘工作台): read = open the workbench and the analyses; write = run an analysis and save
  its result as a segment (which also needs segments' own right to create segments). An analysis
  learns from and scores only the customers its owner may read (customers' read scope), and shows
  names masked as customers masks them.
- `quality` (CRM质量评估): read = see the assessments and the figures computed from the data (company-wide
  aggregates: no customer is listed); write = answer the checklist, which records a new assessment.
- `hotspot` (焦点分析): read = see the hotspot analysis (company-wide keywords, topics and spikes; the
  cases behind them are listed through the service desk's own scoping, their text masked as it
  masks it); write = run an analysis now.
- `report_subscription` (定期报表): read/write/delete = one's own scheduled reports (ALL: anyone's);
  a recipient receives a report only while their role may read what it shows.
The system (the scheduled refresh, the CLI) may do everything; the portal's customer nothing.
"""

from __future__ import annotations

from guanxi.accounts.access import CUSTOMER_ROLE, EVERYTHING, NOTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL = Scope.ALL

_NO_CARDS = {"dashboard_customers": NOTHING, "dashboard_sales": NOTHING, "dashboard_service": NOTHING}
_ALL_CARDS = {"dashboard_customers": Rights(read=ALL), "dashboard_sales": Rights(read=ALL),
              "dashboard_service": Rights(read=ALL)}
_NO_CHURN = {"churn_model": NOTHING, "churn_score": NOTHING}
_NOBODY = {"warehouse": NOTHING, **_NO_CARDS, **_NO_CHURN}
_SCORES = {**_NOBODY, "churn_score": Rights(read=ALL)}
_READER = {"warehouse": Rights(read=ALL), **_NO_CARDS, "churn_model": Rights(read=ALL), "churn_score": Rights(read=ALL)}
_SERVICE_MANAGER = {**_READER, "dashboard_customers": Rights(read=ALL), "dashboard_service": Rights(read=ALL)}
_SALES_MANAGER = {**_READER, "dashboard_customers": Rights(read=ALL), "dashboard_sales": Rights(read=ALL)}
_ANALYST = {"warehouse": Rights(read=ALL, write=ALL), **_ALL_CARDS, "churn_model": Rights(read=ALL, write=ALL),
            "churn_score": Rights(read=ALL)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _NOBODY,
    Role.TEAM_LEAD: _SCORES,
    Role.SERVICE_MANAGER: _SERVICE_MANAGER,
    Role.SALES_REP: _SCORES,
    Role.KEY_ACCOUNT_MANAGER: _SCORES,
    Role.SALES_MANAGER: _SALES_MANAGER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: _ANALYST,
    Role.ADMIN: _ANALYST,
    SYSTEM_ROLE: {"warehouse": EVERYTHING, **_ALL_CARDS, "churn_model": EVERYTHING, "churn_score": EVERYTHING},
    CUSTOMER_ROLE: _NOBODY,
}

OWN, TEAM = Scope.OWN, Scope.TEAM
_VIEWS = Rights(read=OWN, write=OWN, delete=OWN)
_EXPLORER: dict[str, dict[str, Rights]] = {
    Role.TEAM_LEAD: {"explorer": Rights(read=TEAM, export=True), "explorer_view": _VIEWS},
    Role.SERVICE_MANAGER: {"explorer": Rights(read=ALL, export=True), "explorer_view": _VIEWS},
    Role.SALES_REP: {"explorer": Rights(read=OWN), "explorer_view": _VIEWS},
    Role.KEY_ACCOUNT_MANAGER: {"explorer": Rights(read=OWN), "explorer_view": _VIEWS},
    Role.SALES_MANAGER: {"explorer": Rights(read=TEAM, export=True), "explorer_view": _VIEWS},
    Role.ANALYST: {"explorer": Rights(read=ALL, export=True), "explorer_view": _VIEWS},
    Role.ADMIN: {"explorer": Rights(read=ALL, export=True), "explorer_view": Rights(read=OWN, write=ALL, delete=ALL)},
    SYSTEM_ROLE: {"explorer": EVERYTHING, "explorer_view": EVERYTHING},
}
for _role, _rights in _EXPLORER.items():
    TABLE[_role] = {**TABLE[_role], **_rights}

_MINING = Rights(read=ALL, write=ALL)
_QUALITY = Rights(read=ALL, write=ALL)
_WORKBENCH: dict[str, dict[str, Rights]] = {
    Role.SERVICE_MANAGER: {"quality": _QUALITY},
    Role.SALES_MANAGER: {"quality": _QUALITY},
    Role.ANALYST: {"mining": _MINING, "quality": _QUALITY},
    Role.ADMIN: {"mining": _MINING, "quality": _QUALITY},
    SYSTEM_ROLE: {"mining": EVERYTHING, "quality": EVERYTHING},
}
for _role, _rights in _WORKBENCH.items():
    TABLE[_role] = {**TABLE[_role], **_rights}

_REPORTS = Rights(read=OWN, write=OWN, delete=OWN)
_HOTSPOT: dict[str, dict[str, Rights]] = {
    Role.TEAM_LEAD: {"hotspot": Rights(read=ALL)},
    Role.SERVICE_MANAGER: {"hotspot": Rights(read=ALL, write=ALL), "report_subscription": _REPORTS},
    Role.SALES_MANAGER: {"hotspot": Rights(read=ALL), "report_subscription": _REPORTS},
    Role.ANALYST: {"hotspot": Rights(read=ALL, write=ALL), "report_subscription": _REPORTS},
    Role.ADMIN: {"hotspot": Rights(read=ALL, write=ALL),
                 "report_subscription": Rights(read=ALL, write=ALL, delete=ALL)},
    SYSTEM_ROLE: {"hotspot": EVERYTHING, "report_subscription": EVERYTHING},
}
for _role, _rights in _HOTSPOT.items():
    TABLE[_role] = {**TABLE[_role], **_rights}

permissions = PermissionTable(TABLE)
