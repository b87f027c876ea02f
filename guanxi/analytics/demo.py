"""The demo's last step: the star schema built from everything the other steps made, so that the
executive dashboard has figures on the first sign-in."""

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict

from .services import warehouse_refresh


def analytics_demo_load(*, seed, scale, staff, customers, now) -> str:
    try:
        run = warehouse_refresh(actor=SYSTEM, full=True)
    except Conflict:  # another process is refreshing it: that refresh will hold this data too
        return "warehouse: a refresh is already running"
    rows = run.rows
    return (f"warehouse: {rows.get('dim_customer', 0)} customers, {rows.get('fact_case', 0)} cases, "
            f"{rows.get('fact_order_line', 0)} order lines, {rows.get('fact_survey_answer', 0)} survey answers")
