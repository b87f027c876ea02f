"""The demo company's organisation: teams and staff in every role, created through the services.

Used by `guanxi demo`; every demo login shares one documented password so that people trying
the product can sign in as any role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from .access import SYSTEM
from .enums import Role, TeamKind
from .models import Team, User
from .services import team_create, user_create

if TYPE_CHECKING:
    from faker import Faker

DEMO_PASSWORD = "Guanxi-demo-2026"  # nosec B105  # the demo company's published password (README), not a secret

# Sales regions (销售大区) and the provinces each covers; customers are spread accordingly.
SALES_REGIONS: dict[str, tuple[str, ...]] = {
    "华北": ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省"),
    "华东": ("上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省"),
    "华南": ("广东省", "广西壮族自治区", "海南省", "湖南省", "湖北省", "河南省"),
    "西部": ("重庆市", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "宁夏回族自治区",
             "新疆维吾尔自治区", "青海省", "西藏自治区"),
}

SERVICE_TEAMS = ("客服中心一组", "客服中心二组")
KEY_ACCOUNTS_TEAM = "政企大客户部"
PARTNER_TEAM = "鑫达通信代理"
# More channel partner organisations (代理商): (team, region, username prefix of its two logins).
MORE_PARTNERS = (("远航通信代理", "华东", "partner_east"), ("博联信息代理", "华北", "partner_north"),
                 ("蜀通通讯代理", "西部", "partner_west"))
ANALYTICS_TEAM = "经营分析室"
ADMIN_TEAM = "系统管理部"


def sales_team_name(region: str) -> str:
    return f"{region}销售部"


@dataclass
class DemoStaff:
    """What the demo organisation consists of, for the customer generator and the login table."""

    teams: dict[str, Team] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    created_usernames: set[str] = field(default_factory=set)
    # Sign-ins that demo steps add beside the staff's: (where, login, password, whose).
    other_logins: list[tuple[str, str, str, str]] = field(default_factory=list)

    def by_role(self, role: str, team: Team | None = None) -> list[User]:
        return [u for u in self.users if u.role == role and (team is None or u.team_id == team.id)]

    @property
    def admin(self) -> User:
        return next(u for u in self.users if u.is_administrator)


def _team(name: str, kind: str, region: str = "") -> Team:
    return Team.objects.filter(name=name).first() or team_create(actor=SYSTEM, name=name, kind=kind, region=region)


def demo_staff_plan() -> list[tuple[str, str, str]]:
    """(username, role, team name) of every demo login, in the order the login table shows them."""
    plan = [
        ("admin", Role.ADMIN, ADMIN_TEAM),
        ("analyst", Role.ANALYST, ANALYTICS_TEAM),
        ("service_manager", Role.SERVICE_MANAGER, SERVICE_TEAMS[0]),
    ]
    for n, team in enumerate(SERVICE_TEAMS, start=1):
        plan.append((f"team_lead{n}", Role.TEAM_LEAD, team))
        plan += [(f"agent{(n - 1) * 3 + i}", Role.AGENT, team) for i in range(1, 4)]
    for code, region in zip(("north", "east", "south", "west"), SALES_REGIONS, strict=True):
        plan.append((f"sales_manager_{code}", Role.SALES_MANAGER, sales_team_name(region)))
        plan += [(f"sales_{code}{i}", Role.SALES_REP, sales_team_name(region)) for i in range(1, 4)]
    plan += [(f"kam{i}", Role.KEY_ACCOUNT_MANAGER, KEY_ACCOUNTS_TEAM) for i in range(1, 3)]
    plan.append(("partner", Role.PARTNER, PARTNER_TEAM))
    plan += [(f"{prefix}{i}", Role.PARTNER, team) for team, _region, prefix in MORE_PARTNERS for i in (1, 2)]
    return plan


def demo_staff_create(*, faker: Faker, password: str = DEMO_PASSWORD) -> DemoStaff:
    """Teams and one or more users in every role. Existing teams and usernames are reused as
    they are (their passwords are not touched). Caller holds the transaction."""
    staff = DemoStaff()
    for name in SERVICE_TEAMS:
        staff.teams[name] = _team(name, TeamKind.SERVICE, "全国")
    for region in SALES_REGIONS:
        staff.teams[sales_team_name(region)] = _team(sales_team_name(region), TeamKind.SALES, region)
    staff.teams[KEY_ACCOUNTS_TEAM] = _team(KEY_ACCOUNTS_TEAM, TeamKind.KEY_ACCOUNTS, "全国")
    staff.teams[PARTNER_TEAM] = _team(PARTNER_TEAM, TeamKind.PARTNER, "华南")
    for team, region, _prefix in MORE_PARTNERS:
        staff.teams[team] = _team(team, TeamKind.PARTNER, region)
    staff.teams[ANALYTICS_TEAM] = _team(ANALYTICS_TEAM, TeamKind.ANALYTICS)
    staff.teams[ADMIN_TEAM] = _team(ADMIN_TEAM, TeamKind.ADMINISTRATION)

    existing = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in demo_staff_plan()])}
    password_hash = make_password(password)  # one argon2 hash for every demo login
    for username, role, team_name in demo_staff_plan():
        user = existing.get(username)
        if user is None:
            user = user_create(
                actor=SYSTEM,
                username=username, password=password, role=role, team=staff.teams[team_name],
                display_name=faker.name(), email=f"{username}@guanxi.example.cn",
                mobile=f"+86139{faker.unique.numerify('########')}", validate=False, password_hash=password_hash,
            )
            staff.created_usernames.add(username)
        staff.users.append(user)
    return staff
