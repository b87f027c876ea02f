"""Retention of the interaction and transaction history (至少三年以上的交易记录).

History is kept HISTORY_RETENTION_YEARS (at least three, enforced by a system check and here);
rows older than that may be removed, a batch at a time through the `occurred_at` indexes. A row
younger than the retention is never deleted: every delete repeats the cut-off in its WHERE clause.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .. import permissions
from ..models import Interaction, Transaction

MINIMUM_YEARS = 3
logger = logging.getLogger(__name__)


def retention_years() -> int:
    years = getattr(settings, "HISTORY_RETENTION_YEARS", MINIMUM_YEARS)
    if not isinstance(years, int) or years < MINIMUM_YEARS:
        raise ImproperlyConfigured(f"HISTORY_RETENTION_YEARS must be a whole number of at least {MINIMUM_YEARS} "
                                   f"(history is kept three years or more); it is {years!r}.")
    return years


def retention_cutoff(*, now: dt.datetime | None = None) -> dt.datetime:
    """The oldest moment still kept: the same calendar day `retention_years()` years ago (29
    February falls back to the 28th)."""
    now = timezone.localtime(now or timezone.now())
    year = now.year - retention_years()
    try:
        return now.replace(year=year)
    except ValueError:
        return now.replace(year=year, day=28)


@dataclass
class RetentionReport:
    cutoff: dt.datetime
    years: int
    applied: bool
    expired: dict[str, int] = field(default_factory=dict)  # rows older than the cut-off, before the run
    deleted: dict[str, int] = field(default_factory=dict)
    oldest_kept: dict[str, dt.datetime | None] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"cutoff": self.cutoff.isoformat(), "years": self.years, "applied": self.applied,
                "expired": self.expired, "deleted": self.deleted,
                "oldest_kept": {k: v.isoformat() if v else None for k, v in self.oldest_kept.items()}}


HISTORY_MODELS = {"interactions": Interaction, "transactions": Transaction}


def history_retention_run(*, actor, apply: bool = False, batch_size: int = 5000, now: dt.datetime | None = None,
                          progress=None) -> RetentionReport:
    """Report (and with `apply`, delete) the history rows older than the retention period.

    Each batch is its own transaction, so a long run never holds a big lock and can be stopped at
    any time; interactions go through the ORM, which clears the call center's links to them. A
    sweep: only the system runs it (`history` delete)."""
    permissions.require(actor, "history", "delete")
    years = retention_years()
    cutoff = retention_cutoff(now=now)
    report = RetentionReport(cutoff=cutoff, years=years, applied=apply)
    for label, model in HISTORY_MODELS.items():
        old = model.objects.filter(occurred_at__lt=cutoff)
        report.expired[label] = old.count()
        report.deleted[label] = 0
        while apply:
            ids = list(old.order_by("occurred_at").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            with transaction.atomic():
                # The cut-off again: a row is deleted only while it is older than the retention.
                _, per_model = model.objects.filter(pk__in=ids, occurred_at__lt=cutoff).delete()
            report.deleted[label] += per_model.get(model._meta.label, 0)
            if progress:
                progress(label, report.deleted[label], report.expired[label])
        report.oldest_kept[label] = (model.objects.filter(occurred_at__gte=cutoff).order_by("occurred_at")
                                     .values_list("occurred_at", flat=True).first())
    if apply:
        logger.info("history retention: deleted %s older than %s", report.deleted, cutoff.isoformat())
    return report
