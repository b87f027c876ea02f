"""Retention rules (保存期限, PIPL art. 19: personal data kept no longer than needed): one rule per kind
of personal data says how many days it is kept and what then happens to it; the sweep applies them.

The sweep is set-based and batched: per kind, the rows past the cut-off are read a batch of ids at a
time (keyset on the primary key) and each batch is deleted or anonymised in its own transaction,
which also adds the batch to the run's audit row — a crash leaves whole batches done, counted, and a
rerun finds only what is left. Rows about a customer under a legal hold or with open business
(`holds.busy_customer`) are kept and counted as kept. Closed customers are anonymised through the
erasure (`services.customer_retention_erase`), one savepoint per customer.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed
from guanxi.customers.enums import LifecycleStage
from guanxi.customers.importing.spool import work_base
from guanxi.customers.models import Customer, ImportJob, Interaction
from guanxi.integrations.messaging.enums import InboundStatus, MessageStatus
from guanxi.integrations.messaging.models import InboundSms, OutboundMessage
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead
from guanxi.orders.models import Order
from guanxi.portal.models import PortalAccount
from guanxi.servicedesk.models import Call, CtiEvent, Ticket

from . import permissions, services
from .holds import busy_customer
from .models import (
    MAX_DAYS,
    DataRequest,
    PersonalDataAccess,
    RetentionAction,
    RetentionKind,
    RetentionRule,
    RetentionRun,
)
from .scrub import REDACTED, Identifiers

logger = logging.getLogger(__name__)
BATCH = 1000
CUSTOMER_BATCH = 20  # an erasure walks every model: a few seconds per customer under load
STALE_RUN = dt.timedelta(hours=1)  # a run without a batch for this long died with its process
ANONYMISE, DELETE = RetentionAction.ANONYMISE, RetentionAction.DELETE


# ---------------------------------------------------------------- rules


@transaction.atomic
def retention_rule_update(*, actor, rule: RetentionRule, period_days: int | None = None, action: str | None = None,
                          is_enabled: bool | None = None) -> RetentionRule:
    """Change a retention rule: the values given. Refused (422, nothing changed) for a period outside
    the kind's bounds or an action the kind does not allow. Locks the rule."""
    permissions.require(actor, "retention", "configure")
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    errors = {}
    if period_days is not None:
        if isinstance(period_days, bool) or not isinstance(period_days, int) \
                or not rule.min_days <= period_days <= MAX_DAYS:
            errors["period_days"] = _("Enter a whole number of days from %(low)d to %(high)d.") % {
                "low": rule.min_days, "high": MAX_DAYS}
        else:
            rule.period_days = period_days
    if action is not None:
        if action not in rule.allowed_actions:
            errors["action"] = _("This kind of data can only be: %(actions)s.") % {
                "actions": "、".join(str(RetentionAction(a).label) for a in rule.allowed_actions)}
        else:
            rule.action = action
    if errors:
        raise ValidationFailed(_("The retention rule was not changed."), fields=errors)
    if is_enabled is not None:
        rule.is_enabled = bool(is_enabled)
    rule.updated_by = user_of(actor)
    rule._history_user = user_of(actor)
    rule.save()
    return rule


# ---------------------------------------------------------------- what each kind is


@dataclass(frozen=True)
class Part:
    """One table of a kind: its rows past the cut-off still to handle under an action, the lookup of
    the customer a row is about (kept while that customer is busy; None: not about a customer record)
    and what is done to a batch of them ({table: rows})."""

    expired: Callable[[dt.datetime, str], QuerySet]
    apply: Callable[[object, list[int], str, RetentionRule], dict[str, int]]
    customer: str | None = None
    batch: int = BATCH


def _label(model) -> str:
    return model._meta.label


def _delete(model, ids: list[int]) -> dict[str, int]:
    _total, per_model = model._base_manager.filter(pk__in=ids).delete()
    return {label: n for label, n in per_model.items() if n}


# Calls: the caller's number on the call (the call's figures stay, or the call goes); the CTI events,
# raw delivery receipts holding the numbers, go by their own age (the call row is what a hold keeps;
# an event a year old is never delivered again, so its id no longer needs remembering).
def _calls_expired(cutoff, action):
    rows = Call.objects.filter(started_at__lte=cutoff)
    return rows.filter(~Q(caller="") | ~Q(caller_normalized="")) if action == ANONYMISE else rows


def _calls_apply(actor, ids, action, rule):
    if action == DELETE:
        return _delete(Call, ids)
    return {_label(Call): Call.objects.filter(pk__in=ids).update(caller="", caller_normalized="")}


def _events_expired(cutoff, action):
    return CtiEvent.objects.filter(received_at__lte=cutoff)


def _events_apply(actor, ids, action, rule):
    return _delete(CtiEvent, ids)


# Sent SMS and e-mail: the text and the address; queued ones are not sent yet.
def _outbound_expired(cutoff, action):
    rows = OutboundMessage.objects.filter(created_at__lte=cutoff, status__in=(MessageStatus.SENT, MessageStatus.FAILED))
    return rows.exclude(recipient="") if action == ANONYMISE else rows


def _outbound_apply(actor, ids, action, rule):
    if action == DELETE:
        return _delete(OutboundMessage, ids)
    return {_label(OutboundMessage): OutboundMessage.objects.filter(pk__in=ids).update(
        recipient="", subject="", body=REDACTED, error="")}


def _inbound_expired(cutoff, action):
    rows = InboundSms.objects.filter(received_at__lte=cutoff, status__in=(InboundStatus.APPLIED, InboundStatus.FAILED))
    return rows.exclude(phone="") if action == ANONYMISE else rows


def _inbound_apply(actor, ids, action, rule):
    if action == DELETE:
        return _delete(InboundSms, ids)
    return {_label(InboundSms): InboundSms.objects.filter(pk__in=ids).update(
        phone="", text=REDACTED, reply="", error="")}


# Leads never converted and untouched for the period; their audit history goes the same way.
HistoricalLead = Lead.history.model


def _leads_expired(cutoff, action):
    rows = Lead.objects.filter(updated_at__lte=cutoff).exclude(status=LeadStatus.CONVERTED)
    return rows.exclude(phone=REDACTED) if action == ANONYMISE else rows


def _leads_apply(actor, ids, action, rule):
    history = HistoricalLead.objects.filter(id__in=ids)
    if action == DELETE:
        _n, per_model = history.delete()
        return {label: n for label, n in per_model.items() if n} | _delete(Lead, ids)
    own: dict[int, list[str]] = {}
    for model in (Lead, HistoricalLead):
        for lead_id, *values in model._base_manager.filter(id__in=ids).values_list(
                "id", "person_name", "mobile", "phone", "email"):
            own.setdefault(lead_id, []).extend(values)
    # Each lead loses its own names and numbers (one set for the batch would test every row against
    # every lead's: quadratic).
    identifiers = {lead_id: Identifiers.of(values) for lead_id, values in own.items()}
    changed = {_label(Lead): services.records_scrub(model=Lead, rows=Lead.objects.filter(pk__in=ids),
                                                    identifiers=lambda row: identifiers[row.id])}
    changed[_label(HistoricalLead)] = services.records_scrub(model=HistoricalLead, rows=history,
                                                             identifiers=lambda row: identifiers[row.id])
    return {label: n for label, n in changed.items() if n}


# Customer import files: the uploaded file, the report and the spool, and the rows quoted in the job.
RUNNING_IMPORT = (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)


def _imports_expired(cutoff, action):
    rows = ImportJob.objects.filter(created_at__lte=cutoff).exclude(status__in=RUNNING_IMPORT)
    return rows.exclude(original_name=REDACTED) if action == ANONYMISE else rows


def _imports_apply(actor, ids, action, rule):
    jobs = ImportJob.objects.filter(pk__in=ids)
    stored = [name for pair in jobs.values_list("file", "report") for name in pair if name]
    transaction.on_commit(lambda: _files_delete(stored, ids))
    if action == DELETE:
        return _delete(ImportJob, ids)
    return {_label(ImportJob): jobs.update(file="", report="", original_name=REDACTED, errors=[], duplicates=[],
                                           message_detail={}, work_dir="")}


def _files_delete(names: list[str], job_ids: list[int]) -> None:
    for name in names:
        default_storage.delete(name)  # a file already gone is no error
    for job_id in job_ids:
        shutil.rmtree(work_base() / str(job_id), ignore_errors=True)


def _access_expired(cutoff, action):
    return PersonalDataAccess.objects.filter(at__lte=cutoff)


def _access_apply(actor, ids, action, rule):
    return _delete(PersonalDataAccess, ids)


# Portal accounts nobody signed in to for the period (or never, since they were made).
def _portal_expired(cutoff, action):
    return PortalAccount.objects.filter(Q(last_login_at__lte=cutoff) | Q(last_login_at__isnull=True,
                                                                          created_at__lte=cutoff))


def _portal_apply(actor, ids, action, rule):
    return _delete(PortalAccount, ids)


# Closed customers: deleted, or churned with nothing new since; not merged (a duplicate goes with its
# survivor) and not erased already.
def _customers_expired(cutoff, action):
    after = {"customer_id": OuterRef("pk")}
    quiet = (~Q(Exists(Interaction.objects.filter(**after, occurred_at__gt=cutoff)))
             & ~Q(Exists(Order.objects.filter(**after, created_at__gt=cutoff)))
             & ~Q(Exists(Ticket.objects.filter(**after, created_at__gt=cutoff))))
    closed = Q(deleted_at__lte=cutoff) | (Q(lifecycle_stage=LifecycleStage.CHURNED, updated_at__lte=cutoff) & quiet)
    erased = DataRequest.objects.filter(customer_id=OuterRef("pk"), kind=DataRequest.Kind.ERASURE,
                                        status=DataRequest.Status.EXECUTED)
    return Customer.objects.filter(closed, merged_into__isnull=True).exclude(Exists(erased))


def _customers_apply(actor, ids, action, rule):
    changed: dict[str, int] = {}
    note = f"retention: {rule.kind}, {rule.period_days} days"
    for customer in Customer.objects.filter(pk__in=ids).order_by("pk"):
        request = services.customer_retention_erase(actor=actor, customer=customer, note=note)
        if request is not None:
            for label, n in request.result["rows_changed"].items():
                changed[label] = changed.get(label, 0) + n
    return changed


KINDS: dict[str, tuple[Part, ...]] = {
    RetentionKind.CALLS: (Part(_calls_expired, _calls_apply, customer="customer_id"),
                          Part(_events_expired, _events_apply)),
    RetentionKind.OUTBOUND_MESSAGES: (Part(_outbound_expired, _outbound_apply),),
    RetentionKind.INBOUND_SMS: (Part(_inbound_expired, _inbound_apply),),
    RetentionKind.LEADS: (Part(_leads_expired, _leads_apply, customer="customer_id"),),
    RetentionKind.IMPORT_FILES: (Part(_imports_expired, _imports_apply),),
    RetentionKind.ACCESS_LOG: (Part(_access_expired, _access_apply),),
    RetentionKind.PORTAL_ACCOUNTS: (Part(_portal_expired, _portal_apply, customer="customer_id"),),
    RetentionKind.CLOSED_CUSTOMERS: (Part(_customers_expired, _customers_apply, customer="pk",
                                          batch=CUSTOMER_BATCH),),
}


# ---------------------------------------------------------------- the sweep


def retention_cutoff(rule: RetentionRule, now: dt.datetime) -> dt.datetime:
    """Rows from this moment or earlier are past the rule's period."""
    return now - dt.timedelta(days=rule.period_days)


def retention_sweep(*, actor, now: dt.datetime | None = None, dry_run: bool = False, kinds: list[str] | None = None,
                    batch_size: int | None = None, max_batches: int | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> list[RetentionRun]:
    """Apply the enabled retention rules (or the `kinds` named, enabled or not). A dry run applies
    every rule (or the `kinds`) without changing or recording anything and answers unsaved runs:
    `expired` rows past the period, `kept` of them for a hold or open business, `processed` what
    would go. A real run writes one `RetentionRun` per kind; `max_batches` stops each kind after that
    many batches (status partial: the next run goes on). Not atomic: a transaction per batch."""
    permissions.require(actor, "retention", "configure")
    now = now or timezone.now()
    rules = RetentionRule.objects.order_by("id")
    if kinds:
        rules = rules.filter(kind__in=kinds)
    elif not dry_run:
        rules = rules.filter(is_enabled=True)
    runs, failure = [], None
    for rule in rules:
        run = RetentionRun(kind=rule.kind, action=rule.action, period_days=rule.period_days,
                           cutoff=retention_cutoff(rule, now), actor=user_of(actor), started_at=timezone.now(),
                           updated_at=timezone.now())
        if dry_run:
            _preview(rule, run)
        else:
            try:
                _sweep(actor, rule, run, batch_size=batch_size, max_batches=max_batches, progress=progress)
            except Exception as exc:  # recorded on the run, the other kinds still swept, then raised
                logger.exception("retention sweep of %s failed", rule.kind)
                if run.pk is not None:
                    run.refresh_from_db()  # what the committed batches did
                run.status, run.error, run.finished_at = RetentionRun.Status.FAILED, repr(exc)[:2000], timezone.now()
                run.save()
                failure = failure or exc
        runs.append(run)
    if failure is not None:
        raise failure
    return runs


def _preview(rule: RetentionRule, run: RetentionRun) -> None:
    for part in KINDS[rule.kind]:
        expired = part.expired(run.cutoff, rule.action)
        total = expired.count()
        kept = expired.filter(busy_customer(part.customer)).count() if part.customer and total else 0
        run.expired += total
        run.kept += kept
        run.processed += total - kept
    run.status, run.finished_at = RetentionRun.Status.DONE, timezone.now()


def _sweep(actor, rule: RetentionRule, run: RetentionRun, *, batch_size, max_batches, progress) -> None:
    RetentionRun.objects.filter(kind=rule.kind, status=RetentionRun.Status.RUNNING,
                                updated_at__lt=timezone.now() - STALE_RUN).update(
        status=RetentionRun.Status.INTERRUPTED)
    parts = KINDS[rule.kind]
    run.expired = sum(part.expired(run.cutoff, rule.action).count() for part in parts)
    run.save()
    batches = 0
    for part in parts:
        expired = part.expired(run.cutoff, rule.action)
        size = batch_size or part.batch
        last = None
        while True:
            page = expired.order_by("pk") if last is None else expired.filter(pk__gt=last).order_by("pk")
            ids = list(page.values_list("pk", flat=True)[:size])
            if not ids:
                break
            if max_batches is not None and batches >= max_batches:
                run.status = RetentionRun.Status.PARTIAL
                break
            last = ids[-1]
            _batch(actor, rule, run, part, expired, ids)
            batches += 1
            if progress:
                progress(rule.kind, run.processed + run.kept, run.expired)
        if run.status == RetentionRun.Status.PARTIAL:
            break
    if run.status != RetentionRun.Status.PARTIAL:
        run.status = RetentionRun.Status.DONE
    run.finished_at = run.updated_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    logger.info("retention %s: %s of %s rows %s, %s kept", rule.kind, run.processed, run.expired, rule.action,
                run.kept)


@transaction.atomic
def _batch(actor, rule: RetentionRule, run: RetentionRun, part: Part, expired: QuerySet, ids: list[int]) -> None:
    """One batch in one transaction, with its audit. The rule's row lock makes concurrent sweeps of a
    kind take turns; the rows are read again under it, so a row another sweep handled meanwhile, or
    one touched since (no longer past the period), is left alone."""
    RetentionRule.objects.select_for_update().filter(pk=rule.pk).first()
    rows = expired.filter(pk__in=ids)
    held = set(rows.filter(busy_customer(part.customer)).values_list("pk", flat=True)) if part.customer else set()
    due = [pk for pk in rows.values_list("pk", flat=True) if pk not in held]
    changed = part.apply(actor, due, rule.action, rule) if due else {}
    run.processed += len(due)
    run.kept += len(held)
    run.batches += 1
    for label, n in changed.items():
        run.changed[label] = run.changed.get(label, 0) + n
    run.updated_at = timezone.now()
    run.save(update_fields=["processed", "kept", "batches", "changed", "updated_at"])
