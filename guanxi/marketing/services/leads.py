"""Writes of leads (线索): capture (staff, API, import, public web form), edits, the qualification
workflow new → contacted → qualified / disqualified, and marking a lead converted (which sales does
when it turns the lead into a customer). Every write checks its actor against `permissions` first
and is recorded in the lead's history."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.accounts.access import SYSTEM, role_of, user_of
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer

from .. import permissions
from ..enums import DisqualifyReason, LeadSource, LeadStatus
from ..models import Lead, WebForm
from ..rules import clean_lead_fields, name_key, reasons
from ..selectors.leads import customer_matching

Status = LeadStatus
MAX_NOTE = 500
CLOSED = gettext_noop("This lead is already disqualified or converted.")
OWNER_REFUSED = gettext_noop("Only sales managers and administrators give leads to others.")
NOT_AN_OWNER = gettext_noop("this user cannot own leads")


def _save(lead: Lead, actor) -> None:
    lead.name_key = name_key(person_name=lead.person_name, company_name=lead.company_name)
    lead._history_user = user_of(actor)
    lead.save()


def _check_owner(actor, owner: User | None) -> None:
    """A lead goes to its creator, to the pool (None), or, from those who write every lead, to anyone
    who may own leads."""
    if owner is None:
        return
    if not owner.is_active or not permissions.may_own(owner):
        raise ValidationFailed(fields={"owner": NOT_AN_OWNER})
    if owner.pk != getattr(actor, "pk", None) and permissions.scope(actor, "lead", "write") is not permissions.ALL:
        raise PermissionDenied(OWNER_REFUSED)


def _default_owner(actor) -> User | None:
    return actor if permissions.may_own(actor) else None


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(fields={"note": gettext_noop("at most 500 characters")})
    return note


def _partner_of(actor):
    """The partner organisation (a team of kind partner) a partner user submits for, or None."""
    if role_of(actor) != Role.PARTNER or not getattr(actor, "team_id", None):
        return None
    return actor.team if actor.team.kind == TeamKind.PARTNER else None


@transaction.atomic
def lead_create(*, actor, data: dict, source: str = LeadSource.MANUAL, owner: User | str | None = "default",
                web_form: WebForm | None = None, at: dt.datetime | None = None, campaign=None) -> Lead:
    """Capture a lead: the fields checked and normalised as a customer's are; the owner is the
    creator when they may own leads, else nobody (the pool), unless `owner` names someone (or None).
    A lead whose phone or e-mail belongs to a customer is linked to that customer."""
    permissions.require(actor, "lead", "write", message=permissions.CREATE_DENIED)
    clean, errors = clean_lead_fields(data)
    if source not in LeadSource.values:
        errors["source"] = ("choice", {"choices": ", ".join(LeadSource.values)})
    if errors:
        raise ValidationFailed(fields=reasons(errors))
    owner = _default_owner(actor) if owner == "default" else owner
    _check_owner(actor, owner)
    lead = Lead(**clean, source=source, web_form=web_form, owner=owner, team=owner.team if owner else None,
                created_by=user_of(actor), campaign=campaign, partner=_partner_of(actor))
    lead.customer = customer_matching(values=clean)
    _save(lead, actor)
    if at is not None:  # the demo and imports of old leads record when they were captured
        Lead.objects.filter(pk=lead.pk).update(created_at=at)
        lead.created_at = at
    return lead


def _locked(actor, lead: Lead, *, open_only: bool = True) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    permissions.require_lead(actor, lead, "write")
    if open_only and not lead.is_open:
        raise Conflict(CLOSED, code="lead_closed")
    return lead


@transaction.atomic
def lead_update(*, actor, lead: Lead, data: dict, owner: User | str | None = "unchanged") -> Lead:
    """Change a lead's details (and, for those who may, its owner: None returns it to the pool)."""
    lead = _locked(actor, lead, open_only=False)
    current = {f: getattr(lead, f) for f in ("person_name", "company_name", "mobile", "phone", "email")}
    clean, errors = clean_lead_fields(data, current=current)
    if errors:
        raise ValidationFailed(fields=reasons(errors))
    for name, value in clean.items():
        setattr(lead, name, value)
    if owner != "unchanged":
        _check_owner(actor, owner)
        lead.owner, lead.team = owner, owner.team if owner else None
    if lead.status != Status.CONVERTED:  # a converted lead keeps the customer it became
        lead.customer = customer_matching(values={**current, **clean})
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_contact(*, actor, lead: Lead, note: str = "", at: dt.datetime | None = None) -> Lead:
    """The lead was reached (first contact): new → contacted; later contacts keep the status."""
    lead = _locked(actor, lead)
    note = _note(note)
    if lead.contacted_at is None:
        lead.contacted_at = at or timezone.now()
    if lead.status == Status.NEW:
        lead.status = Status.CONTACTED
    lead.status_note = note or lead.status_note
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_qualify(*, actor, lead: Lead, data: dict | None = None, note: str = "",
                 at: dt.datetime | None = None) -> Lead:
    """The lead is worth pursuing (有效线索): budget, need, timeline and authority (BANT) recorded as
    known; it then waits for sales to convert it."""
    lead = _locked(actor, lead)
    data = data or {}
    unknown = set(data) - {"budget", "need", "timeline", "authority"}
    clean, errors = clean_lead_fields({k: v for k, v in data.items() if k not in unknown})
    errors = {k: v for k, v in errors.items() if k in data} | {k: ("unknown_field", None) for k in unknown}
    if errors:
        raise ValidationFailed(fields=reasons(errors))
    note = _note(note)
    for name, value in clean.items():
        setattr(lead, name, value)
    now = at or timezone.now()
    lead.status, lead.qualified_at, lead.status_note = Status.QUALIFIED, now, note
    lead.contacted_at = lead.contacted_at or now
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_disqualify(*, actor, lead: Lead, reason: str, note: str = "", at: dt.datetime | None = None) -> Lead:
    """Drop the lead (无效线索) with a reason; "other" needs a note saying what."""
    if reason not in DisqualifyReason.values:
        raise ValidationFailed(fields={"reason": gettext_noop("choose a reason")})
    note = _note(note)
    if reason == DisqualifyReason.OTHER and not note:
        raise ValidationFailed(fields={"note": gettext_noop("say why when the reason is other")})
    lead = _locked(actor, lead)
    lead.status, lead.disqualify_reason, lead.status_note = Status.DISQUALIFIED, reason, note
    lead.closed_at = at or timezone.now()
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_reopen(*, actor, lead: Lead) -> Lead:
    """A disqualified lead is worth another look: back to contacted (or new, if never reached)."""
    lead = _locked(actor, lead, open_only=False)
    if lead.status != Status.DISQUALIFIED:
        raise Conflict(gettext_noop("Only a disqualified lead can be reopened."), code="not_disqualified")
    lead.status = Status.CONTACTED if lead.contacted_at else Status.NEW
    lead.disqualify_reason, lead.closed_at = "", None
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_mark_converted(*, actor, lead: Lead, customer: Customer, at: dt.datetime | None = None) -> Lead:
    """Record that the lead became `customer` (sales calls this inside its conversion transaction).
    A lead converts once; a disqualified lead must be reopened first."""
    lead = _locked(actor, lead)
    if customer.deleted_at is not None:
        raise ValidationFailed(fields={"customer": gettext_noop("this customer was deleted")})
    lead.status, lead.customer, lead.closed_at = Status.CONVERTED, customer, at or timezone.now()
    lead.contacted_at = lead.contacted_at or lead.closed_at
    _save(lead, actor)
    return lead


@transaction.atomic
def lead_delete(*, actor, lead: Lead) -> None:
    """Delete a lead entered by mistake (its history keeps a record of it)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    permissions.require(actor, "lead", "delete", allowed=permissions.lead_in_scope(actor, lead, "delete"))
    lead._history_user = user_of(actor)
    lead.delete()


# ---------------------------------------------------------------- public web forms


WEB_FORM_LIMITS = {"title": 100, "intro": 2000, "interest_label": 100, "thanks_text": 500}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def _web_form_fields(*, form: WebForm | None, slug: str, owner: User | None, texts: dict) -> dict:
    """The web form's fields checked: a free lowercase address, a title, texts within their limits and an
    owner who may own leads."""
    errors = {}
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        errors["slug"] = gettext_noop("lowercase letters, digits and -, at most 50")
    elif WebForm.objects.filter(slug=slug).exclude(pk=getattr(form, "pk", None)).exists():
        errors["slug"] = gettext_noop("another form has this address")
    clean = {name: (texts.get(name) or "").strip() for name in WEB_FORM_LIMITS}
    for name, limit in WEB_FORM_LIMITS.items():
        if len(clean[name]) > limit:
            errors[name] = gettext_noop("too long")
    if not clean["title"]:
        errors["title"] = gettext_noop("required")
    if owner is not None and (not permissions.may_own(owner) or not owner.is_active):
        errors["owner"] = NOT_AN_OWNER
    if errors:
        raise ValidationFailed(fields=errors)
    return {**clean, "slug": slug}


@transaction.atomic
def web_form_create(*, actor, slug: str, title: str, intro: str = "", interest_label: str = "",
                    owner: User | None = None, campaign=None, thanks_text: str = "",
                    is_active: bool = True) -> WebForm:
    """A public lead form at /l/<slug>/ (sales managers and administrators); its leads are attributed
    to `campaign` when one is given."""
    permissions.require(actor, "lead", "configure")
    fields = _web_form_fields(form=None, slug=slug, owner=owner, texts={
        "title": title, "intro": intro, "interest_label": interest_label, "thanks_text": thanks_text})
    form = WebForm(**fields, owner=owner, campaign=campaign, is_active=is_active, created_by=user_of(actor))
    form._history_user = user_of(actor)
    form.save()
    return form


@transaction.atomic
def web_form_update(*, actor, form: WebForm, slug: str, title: str, intro: str = "", interest_label: str = "",
                    owner: User | None = None, campaign=None, thanks_text: str = "",
                    is_active: bool = True) -> WebForm:
    """Change a public form (its address too: the old address stops answering); audited."""
    permissions.require(actor, "lead", "configure")
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    fields = _web_form_fields(form=form, slug=slug, owner=owner, texts={
        "title": title, "intro": intro, "interest_label": interest_label, "thanks_text": thanks_text})
    for name, value in {**fields, "owner": owner, "campaign": campaign, "is_active": is_active}.items():
        setattr(form, name, value)
    form._history_user = user_of(actor)
    form.save()
    return form


def lead_submit_web_form(*, form: WebForm, data: dict) -> Lead:
    """What a visitor sent through a public form, as the system: a lead of source "web form", owned by
    the form's owner or in the pool. Spam checks and rate limits happen before (views.public)."""
    if not form.is_active:
        raise ValidationFailed(gettext_noop("This form no longer accepts answers."))
    return lead_create(actor=SYSTEM, data={**data, "source_detail": form.title[:100]}, source=LeadSource.WEB_FORM,
                       owner=form.owner if form.owner and form.owner.is_active else None, web_form=form,
                       campaign=form.campaign)
