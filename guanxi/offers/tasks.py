from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import offer_model_train


# Safe to run twice: a rerun trains on the same data and stores the next version (the newest is used); a killed run
# stores nothing.
@job(name="offers.model_train")
def offer_model_train_task() -> int:
    """The weekly training (CELERY_BEAT_SCHEDULE "offers-model-train"); returns the model's id."""
    return offer_model_train(actor=SYSTEM).pk
