"""A red-channel world for tests: an office calendar, general standards, the red channel's tighter ones
and a rule for every tier sending key accounts' faults and complaints to a dedicated team."""

from guanxi.accounts.enums import TeamKind
from guanxi.accounts.tests.factories import TeamFactory
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

from ..services import red_channel_rule_save


def red_world(admin):
    calendar = office_calendar(admin)
    general = {
        "first_response": make_standard(admin, calendar, code="g-fr", metric="first_response", target_minutes=120),
        "resolution": make_standard(admin, calendar, code="g-res", metric="resolution", target_minutes=1440),
        "fault_repair": make_standard(
            admin, calendar, code="g-fault", metric="fault_repair", ticket_type="fault", target_minutes=960
        ),
    }
    red = {
        "first_response": make_standard(admin, calendar, code="r-fr", metric="first_response", target_minutes=15,
                                        warning_percent=50, breach_actions=["escalate"]),
        "resolution": make_standard(admin, calendar, code="r-res", metric="resolution", target_minutes=240,
                                    warning_percent=50, breach_actions=["escalate"]),
        "fault_repair": make_standard(admin, calendar, code="r-fault", metric="fault_repair", target_minutes=180,
                                      warning_percent=50, breach_actions=["escalate"]),
    }
    team = TeamFactory(kind=TeamKind.SERVICE, name="红色通道班组")
    rule = red_channel_rule_save(actor=admin, name="大客户红色通道", team=team, standards=list(red.values()))
    return {"calendar": calendar, "general": general, "red": red, "team": team, "rule": rule}
