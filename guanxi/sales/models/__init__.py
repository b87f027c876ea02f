from .analysis import SalesExpense
from .forecast import BigDealAlert, Period, Quota, SalesSettings, period_bounds
from .opportunities import Competitor, DealReason, Opportunity, OpportunityStage, StageChange
from .organisation import Outlet, Region, RepAssignment, SalesChannel

__all__ = [
    "BigDealAlert", "Competitor", "DealReason", "Opportunity", "OpportunityStage", "Outlet", "Period", "Quota",
    "Region", "RepAssignment", "SalesChannel", "SalesExpense", "SalesSettings", "StageChange", "period_bounds",
]
