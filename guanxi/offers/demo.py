"""Demo: train the next-best-offer model on the demo customers' holdings and ledger, so that the
360 and case pages show offers with their reasons. Registered in `OffersConfig.ready()` after the
customers app's steps; run by `guanxi demo`."""

import datetime as dt

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff

from .services import offer_model_train


def offers_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                     now: dt.datetime | None = None) -> str:
    model = offer_model_train(actor=SYSTEM, as_of=timezone.localdate(now) if now else None, seed=seed)
    rates = model.metrics["hit_rates"][model.algorithm]
    return (f"offer model v{model.version} ({model.algorithm}): hit@3 {rates['hit_at_3']:.0%} "
            f"on {model.metrics['evaluated']} held-back purchases")
