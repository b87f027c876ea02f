from .campaigns import Campaign, CampaignExpense, CampaignMember, CampaignResponse, MarketingOptOut
from .leads import Lead
from .web_forms import WebForm

__all__ = ["Campaign", "CampaignExpense", "CampaignMember", "CampaignResponse", "Lead", "MarketingOptOut",
           "WebForm"]
