from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services.campaigns import campaigns_send_due


# Idempotent: each batch locks its pending members and marks them in one transaction; a rerun sends the rest.
@job(name="marketing.send_campaigns")
def send_campaigns() -> dict[str, int]:
    """Campaigns whose start date and send time have come: the next batch of members, opt-outs skipped."""
    return campaigns_send_due(actor=SYSTEM)
