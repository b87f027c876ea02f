"""Writes of the offers app: training a model (in the background or now) and recording what became
of an offer."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed
from guanxi.customers.models import Customer

from . import permissions, selectors
from .enums import ModelStatus, Outcome
from .models import OfferFeedback, OfferModel

logger = logging.getLogger(__name__)
STEPS = ("read customers", "read holdings", "features", "evaluate", "fit", "store")
Progress = Callable[[str, int, int], None]


def offer_model_train_start(*, actor) -> OfferModel | None:
    """Train a model in the background (analysts, administrators): the task is queued when the
    caller's transaction commits. Without a broker it runs inline and the trained model is returned;
    None while it is queued."""
    permissions.require(actor, "model", "write", message=_("Your role cannot train the offer model."))
    started = []

    def queue() -> None:
        from .tasks import offer_model_train_task  # the task calls back into this module

        started.append(offer_model_train_task.delay())

    transaction.on_commit(queue)
    result = started[0] if started else None
    if result is None or not result.ready():
        return None
    return OfferModel.objects.defer("artefact").filter(pk=result.result).first()


def offer_model_train(*, actor, progress: Progress | None = None, as_of: dt.date | None = None,
                      seed: int = 0) -> OfferModel:
    """Train the next version on every live customer's holdings and profile as of `as_of` (today):
    measure the scorers on held-back acquisitions, fit the best, store it and make it the active
    model in one transaction. The registry row is written first, so that a failure is recorded
    (status failed, the error) and the active model stays. Run weekly by the task, by the CLI and
    the demo as the system, or by analysts and administrators."""
    from . import engine, storage  # NumPy, pandas and scikit-learn: imported by a training only

    permissions.require(actor, "model", "write", message=_("Your role cannot train the offer model."))
    as_of = as_of or timezone.localdate()
    row = OfferModel.objects.create(version=selectors.next_version(), started_by=user_of(actor), data_until=as_of)
    began = time.monotonic()
    timings: dict[str, float] = {}
    mark = [began]

    def step(label: str) -> None:
        now = time.monotonic()
        if timings or label != STEPS[0]:
            timings[STEPS[len(timings)]] = round(now - mark[0], 3)
        mark[0] = now
        if progress:
            progress(label, STEPS.index(label), len(STEPS))

    try:
        step("read customers")
        customers = storage.read_customers(as_of)
        step("read holdings")
        holdings = storage.read_holdings()
        inputs = engine.Inputs(customers=customers, holdings=holdings, tier_floors=storage.tier_floors())
        model, metrics = engine.train(inputs, seed=seed, progress=step)
        step("store")
        started = holdings["started_on"].dropna().astype(str).str.slice(0, 10)
        with transaction.atomic():
            OfferModel.objects.filter(is_active=True).update(is_active=False)
            row.status, row.is_active, row.algorithm = ModelStatus.DONE, True, model.algorithm
            row.artefact = model.to_bytes()
            row.data_from = dt.date.fromisoformat(started.min()) if len(started) else None
            row.customers, row.sample_size = metrics["customers"], metrics["sample_size"]
            timings[STEPS[-1]] = round(time.monotonic() - mark[0], 3)
            row.metrics = {**metrics, "timings": timings}
            row.finished_at = timezone.now()
            row.seconds = round(time.monotonic() - began, 3)
            row.save()
    except Exception as exc:
        logger.exception("offer model v%s failed", row.version)
        OfferModel.objects.filter(pk=row.pk).update(status=ModelStatus.FAILED, finished_at=timezone.now(),
                                                    seconds=round(time.monotonic() - began, 3),
                                                    error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    if progress:
        progress("done", len(STEPS), len(STEPS))
    return row


@transaction.atomic
def offer_feedback_record(*, actor, customer: Customer, product: str, outcome: str) -> OfferFeedback:
    """Record that an offer of `product` to a customer the actor may read was made, accepted or
    declined (audited); a declined product is not offered again for OFFERS_DECLINE_DAYS days."""
    permissions.require(actor, "offer", "write", message=_("Your role cannot record offers."))
    product = (product or "").strip()
    if outcome not in Outcome.values:
        raise ValidationFailed(_("Choose offered, accepted or declined."), code="invalid_outcome",
                               fields={"outcome": _("Choose offered, accepted or declined.")})
    if not product or len(product) > 100:
        raise ValidationFailed(_("Name the product that was offered (at most 100 characters)."),
                               code="invalid_product", fields={"product": _("required")})
    active = selectors.model_active()
    if active is None or product not in set(selectors.fitted(active).products):
        raise ValidationFailed(_("This is not one of the products the offer model knows."),
                               code="unknown_product", fields={"product": _("not a product the offer model knows")})
    return OfferFeedback.objects.create(customer=customer, product=product, outcome=outcome, model=active,
                                        recorded_at=timezone.now(), recorded_by=user_of(actor))
