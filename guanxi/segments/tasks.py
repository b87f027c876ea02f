from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import contact_profiles_refresh, value_recompute


# Idempotent: the snapshot is replaced in one transaction (a killed run leaves the old one; a rerun computes the same).
@job(name="segments.value_recompute")
def value_recompute_task() -> int:
    """The nightly value run (CELERY_BEAT_SCHEDULE "segments-value-recompute"); returns the run id."""
    return value_recompute(actor=SYSTEM).pk


# Idempotent: every profile is replaced in one transaction.
@job(name="segments.contact_profiles_refresh")
def contact_profiles_refresh_task() -> int:
    """The nightly contact-profile refresh (CELERY_BEAT_SCHEDULE "segments-contact-profiles"); returns the rows."""
    return contact_profiles_refresh(actor=SYSTEM).rows
