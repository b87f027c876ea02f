"""Writes of campaigns (营销活动): create and edit a draft, launch (freeze the target group into
members in one set-based INSERT … SELECT), send (SMS and e-mail through the messaging backends,
calls as tasks; opt-outs honoured and counted), cancel and complete; responses (which may become
leads), opt-outs (退订) and expense claims (费用报销). Every write checks its actor against
`permissions.campaign_permissions` first; campaigns, opt-outs and expenses keep their history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.accounts.access import SYSTEM, is_system, user_of
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_match_phone
from guanxi.integrations.messaging.services import message_send
from guanxi.segments import rules as segment_rules
from guanxi.tasks.services import task_create

from .. import permissions
from ..enums import (
    CampaignChannel,
    CampaignStatus,
    ExpenseCategory,
    ExpenseStatus,
    LeadSource,
    MemberStatus,
    OptOutChannel,
    OptOutSource,
    ResponseKind,
)
from ..models import Campaign, CampaignExpense, CampaignMember, CampaignResponse, MarketingOptOut
from ..selectors import campaigns as selectors
from .leads import lead_create

MAX_AMOUNT = Decimal("999999999999.99")
SEND_BATCH = 500
CALL_TASK_KIND = "campaign_call"
REPLY_WORDS = frozenset({"TD", "T", "退订", "UNSUBSCRIBE", "STOP"})
UNSUBSCRIBE_SALT = "guanxi.marketing.unsubscribe"
SMS_FOOTER = "回TD退订"
FIELDS = ("name", "objective", "channels", "starts_on", "ends_on", "send_time", "budget", "message_subject",
          "message_text", "definition", "industries", "occupations", "age_min", "age_max")
NOT_DRAFT = gettext_noop("Only a draft campaign can be changed or launched.")


def _amount(value, *, positive: bool) -> tuple[Decimal | None, str | None]:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or (positive and amount == 0):
        return None, gettext_noop("an amount above 0") if positive else gettext_noop("an amount of 0 or more")
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        return None, gettext_noop("at most 999,999,999,999.99, in fen")
    return amount, None


def _text(data, name, limit, errors, *, required=False) -> str:
    value = (data.get(name) or "").strip()
    if (required and not value) or len(value) > limit:
        errors[name] = gettext_noop("required") if required and not value else gettext_noop("too long")
    return value


def _clean(data: dict, current: dict) -> dict:
    """The campaign's fields checked together (the dates against each other); reasons collected."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: gettext_noop("not a field of a campaign") for name in unknown})
    merged, errors, clean = {**current, **data}, {}, {}
    clean["name"] = _text(merged, "name", 100, errors, required=True)
    clean["objective"] = _text(merged, "objective", 2000, errors)
    clean["message_subject"] = _text(merged, "message_subject", 200, errors)
    clean["message_text"] = _text(merged, "message_text", 2000, errors)
    clean["industries"] = _text(merged, "industries", 500, errors)
    clean["occupations"] = _text(merged, "occupations", 500, errors)
    channels = merged.get("channels") or []
    if not isinstance(channels, list | tuple) or not channels or set(channels) - set(CampaignChannel.values):
        errors["channels"] = gettext_noop("one or more of: SMS, e-mail, call")
    clean["channels"] = [c for c in CampaignChannel.values if c in channels] if isinstance(channels, list | tuple) \
        else []
    if set(clean["channels"]) & {CampaignChannel.SMS, CampaignChannel.EMAIL} and not clean["message_text"]:
        errors["message_text"] = gettext_noop("SMS and e-mail need a message")
    starts, ends = merged.get("starts_on"), merged.get("ends_on")
    for name, value in (("starts_on", starts), ("ends_on", ends)):
        if not isinstance(value, dt.date) or not 2000 <= value.year <= 2999:
            errors[name] = gettext_noop("a date from 2000 to 2999")
    if "starts_on" not in errors and "ends_on" not in errors and ends < starts:
        errors["ends_on"] = gettext_noop("on or after the start date")
    clean["starts_on"], clean["ends_on"] = starts, ends
    clean["send_time"] = merged.get("send_time") or dt.time(10, 0)
    if not isinstance(clean["send_time"], dt.time):
        errors["send_time"] = gettext_noop("a time of day")
    clean["budget"], reason = _amount(merged.get("budget") or 0, positive=False)
    if reason:
        errors["budget"] = reason
    for name in ("age_min", "age_max"):
        value = merged.get(name)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 150):
            errors[name] = gettext_noop("an age from 0 to 150")
        clean[name] = value
    if "age_min" not in errors and "age_max" not in errors and None not in (clean["age_min"], clean["age_max"]) \
            and clean["age_max"] < clean["age_min"]:
        errors["age_max"] = gettext_noop("at least the minimum age")
    definition = merged.get("definition") or {}
    try:
        clean["definition"] = segment_rules.validate(definition) if definition else {}
    except ValidationFailed as exc:
        errors["definition"] = exc.message if not exc.fields else "; ".join(exc.fields.values())
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _save(campaign: Campaign, actor) -> None:
    campaign._history_user = user_of(actor)
    campaign.save()


@transaction.atomic
def campaign_create(*, actor, data: dict, segments=(), owner=None) -> Campaign:
    """A draft campaign owned by the actor (or `owner`), targeting `segments` (saved segments the
    caller has looked up) and the filters in `data`."""
    permissions.campaign_require(actor, "campaign", "write")
    clean = _clean(data, {})
    owner = owner or user_of(actor)
    if owner is None:
        raise ValidationFailed(fields={"owner": gettext_noop("required")})
    campaign = Campaign(**clean, owner=owner, created_by=user_of(actor))
    _save(campaign, actor)
    campaign.segments.set(segments)
    return campaign


def _locked(actor, campaign: Campaign) -> Campaign:
    permissions.campaign_require(actor, "campaign", "write")
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict, segments=None) -> Campaign:
    """Change a draft's fields (and, when given, its segments); a launched campaign is frozen (409)."""
    campaign = _locked(actor, campaign)
    if not campaign.is_editable:
        raise Conflict(NOT_DRAFT, code="campaign_not_draft")
    current = {name: getattr(campaign, name) for name in FIELDS}
    for name, value in _clean(data, current).items():
        setattr(campaign, name, value)
    _save(campaign, actor)
    if segments is not None:
        campaign.segments.set(segments)
    return campaign


def _freeze_members(campaign: Campaign, *, today: dt.date, at: dt.datetime) -> int:
    """INSERT … SELECT the target group into members, one statement; customers already members
    are left alone (the unique constraint makes a second send impossible)."""
    targets = selectors.target_queryset(campaign, today=today).order_by().values(member_customer_id=F("pk"))
    select_sql, params = targets.query.sql_with_params()
    table = CampaignMember._meta.db_table
    sql = (f"INSERT INTO {table} (campaign_id, customer_id, status, added_at) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
           f"SELECT %s, t.member_customer_id, %s, %s FROM ({select_sql}) t "
           "ON CONFLICT (campaign_id, customer_id) DO NOTHING")
    if connection.vendor == "sqlite":  # SQLite needs a WHERE to read ON CONFLICT after a SELECT
        sql = sql.replace("t ON CONFLICT", "t WHERE true ON CONFLICT")
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, MemberStatus.PENDING, at, *params])
        return cursor.rowcount


@transaction.atomic
def campaign_launch(*, actor, campaign: Campaign, at: dt.datetime | None = None) -> int:
    """Launch a draft: its target group (without those opted out of all its channels) is frozen into
    members, and it is scheduled; the send job sends it from its start date and send time. Returns
    the number of members."""
    campaign = _locked(actor, campaign)
    if not campaign.is_editable:
        raise Conflict(NOT_DRAFT, code="campaign_not_draft")
    at = at or timezone.now()
    if campaign.ends_on < timezone.localdate(at):
        raise ValidationFailed(fields={"ends_on": gettext_noop("the campaign has already ended")})
    count = _freeze_members(campaign, today=timezone.localdate(at), at=at)
    if not count:
        raise ValidationFailed(gettext_noop("The target group is empty: nobody to send to."), code="empty_target")
    campaign.status, campaign.launched_at = CampaignStatus.SCHEDULED, at
    _save(campaign, actor)
    return count


@transaction.atomic
def campaign_cancel(*, actor, campaign: Campaign, at: dt.datetime | None = None) -> Campaign:
    """Stop a campaign that has not completed; members not yet sent are never sent."""
    campaign = _locked(actor, campaign)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise Conflict(gettext_noop("This campaign has already ended."), code="campaign_ended")
    campaign.status, campaign.closed_at = CampaignStatus.CANCELLED, at or timezone.now()
    _save(campaign, actor)
    return campaign


@transaction.atomic
def campaign_complete(*, actor, campaign: Campaign, at: dt.datetime | None = None) -> Campaign:
    """Close a running campaign (the send job does it after the end date)."""
    campaign = _locked(actor, campaign)
    if campaign.status != CampaignStatus.RUNNING:
        raise Conflict(gettext_noop("Only a running campaign can be completed."), code="campaign_not_running")
    campaign.status, campaign.closed_at = CampaignStatus.COMPLETED, at or timezone.now()
    _save(campaign, actor)
    return campaign


# ---------------------------------------------------------------- sending


def unsubscribe_token(member: CampaignMember) -> str:
    return signing.dumps({"m": member.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def _deliver(campaign: Campaign, member: CampaignMember, customer: Customer, refused: set[str]) -> str:
    """Send one member every channel they have not refused; the member's new status."""
    reached, skipped = 0, 0
    for channel in campaign.channels:
        if channel in refused or OptOutChannel.ALL in refused:
            skipped += 1
            continue
        if channel == CampaignChannel.SMS and customer.mobile:
            message_send(channel="sms", recipient=customer.mobile, body=f"{campaign.message_text} {SMS_FOOTER}")
        elif channel == CampaignChannel.EMAIL and customer.email:
            link = reverse("marketing_public:unsubscribe", args=[unsubscribe_token(member)])
            message_send(channel="email", recipient=customer.email, subject=campaign.message_subject or campaign.name,
                         body=f"{campaign.message_text}\n\n退订：{link}")
        elif channel == CampaignChannel.CALL and (customer.owner_id or campaign.owner_id):
            due = timezone.make_aware(dt.datetime.combine(campaign.ends_on, campaign.send_time))
            task_create(actor=SYSTEM, kind=CALL_TASK_KIND, subject=f"{campaign.name}：{customer.name}"[:200],
                        due_at=due, customer=customer, assignee=customer.owner or campaign.owner, source=campaign,
                        source_url=reverse("marketing:campaign_detail", args=[campaign.pk]))
        else:
            continue
        reached += 1
    if reached:
        return MemberStatus.SENT
    return MemberStatus.SKIPPED if skipped else MemberStatus.FAILED


@transaction.atomic
def campaign_send_batch(*, actor, campaign: Campaign, at: dt.datetime | None = None,
                        limit: int = SEND_BATCH) -> dict[str, int]:
    """Send up to `limit` waiting members of a scheduled or running campaign (it becomes running);
    opted-out members are skipped and counted. The campaign completes when nobody waits and it ended."""
    campaign = _locked(actor, campaign)
    if campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
        raise Conflict(gettext_noop("Only a launched campaign is sent."), code="campaign_not_live")
    at = at or timezone.now()
    pending = CampaignMember.objects.filter(campaign=campaign, status=MemberStatus.PENDING)
    members = list(pending.select_for_update(of=("self",)).select_related("customer__owner").order_by("id")[:limit])
    refused = selectors.opted_out_channels(customer_ids=[m.customer_id for m in members])
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for member in members:
        member.status = _deliver(campaign, member, member.customer, refused.get(member.customer_id, set()))
        member.sent_at = at if member.status == MemberStatus.SENT else None
        counts[member.status] += 1
    CampaignMember.objects.bulk_update(members, ["status", "sent_at"])
    if campaign.status == CampaignStatus.SCHEDULED:
        campaign.status, campaign.sent_at = CampaignStatus.RUNNING, at
    if timezone.localdate(at) > campaign.ends_on and not CampaignMember.objects.filter(
            campaign=campaign, status=MemberStatus.PENDING).exists():
        campaign.status, campaign.closed_at = CampaignStatus.COMPLETED, at
    _save(campaign, actor)
    return counts


def campaigns_send_due(*, actor=SYSTEM, at: dt.datetime | None = None) -> dict[str, int]:
    """The beat job: every launched campaign whose start date and send time have come gets its next
    batch; running campaigns past their end date with nobody waiting complete."""
    at = at or timezone.now()
    local = timezone.localtime(at)
    totals = {"sent": 0, "skipped": 0, "failed": 0}
    due = Campaign.objects.filter(status__in=(CampaignStatus.SCHEDULED, CampaignStatus.RUNNING),
                                  starts_on__lte=local.date())
    for campaign in due:
        if campaign.starts_on == local.date() and campaign.send_time > local.time():
            continue
        for key, value in campaign_send_batch(actor=actor, campaign=campaign, at=at).items():
            totals[key] += value
    return totals


@transaction.atomic
def member_add(*, actor, campaign: Campaign, customer: Customer, at: dt.datetime | None = None) -> CampaignMember:
    """Add one customer to a launched campaign by hand: refused (409) when they are a member already
    (a campaign is never sent twice to one customer) or opted out of all its channels."""
    campaign = _locked(actor, campaign)
    if campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
        raise Conflict(gettext_noop("Only a launched campaign takes members."), code="campaign_not_live")
    if selectors.member_of(campaign=campaign, customer_id=customer.pk) is not None:
        raise Conflict(gettext_noop("This customer is already a member of the campaign: it is never sent twice."),
                       code="already_member")
    refused = selectors.opted_out_channels(customer_ids=[customer.pk]).get(customer.pk, set())
    if OptOutChannel.ALL in refused or set(campaign.channels) <= refused:
        raise Conflict(gettext_noop("This customer has opted out of this campaign's channels."), code="opted_out")
    return CampaignMember.objects.create(campaign=campaign, customer=customer, added_at=at or timezone.now())


@transaction.atomic
def member_send(*, actor, member: CampaignMember, at: dt.datetime | None = None) -> CampaignMember:
    """Send one waiting member now: refused (409) when already sent or opted out of every channel."""
    campaign = _locked(actor, member.campaign)
    member = CampaignMember.objects.select_for_update(of=("self",)).select_related("customer__owner").get(pk=member.pk)
    if campaign.status not in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
        raise Conflict(gettext_noop("Only a launched campaign is sent."), code="campaign_not_live")
    if member.status != MemberStatus.PENDING:
        raise Conflict(gettext_noop("This member was already sent the campaign: it is never sent twice."),
                       code="already_sent")
    refused = selectors.opted_out_channels(customer_ids=[member.customer_id]).get(member.customer_id, set())
    if OptOutChannel.ALL in refused or set(campaign.channels) <= refused:
        raise Conflict(gettext_noop("This customer has opted out of this campaign's channels."), code="opted_out")
    member.status = _deliver(campaign, member, member.customer, refused)
    member.sent_at = at or timezone.now()
    member.save(update_fields=["status", "sent_at"])
    return member


TRACKED = {MemberStatus.DELIVERED: 1, MemberStatus.OPENED: 2}
RANK = {MemberStatus.SENT: 0, MemberStatus.DELIVERED: 1, MemberStatus.OPENED: 2, MemberStatus.RESPONDED: 3,
        MemberStatus.CONVERTED: 4}


@transaction.atomic
def member_track(*, actor, member: CampaignMember, status: str) -> CampaignMember:
    """A backend's report that a sent message was delivered or opened/clicked; never moves a member back."""
    permissions.campaign_require(actor, "campaign", "write")
    if status not in TRACKED:
        raise ValidationFailed(fields={"status": gettext_noop("delivered or opened")})
    member = CampaignMember.objects.select_for_update().get(pk=member.pk)
    if member.status in RANK and RANK[member.status] < RANK[status]:
        member.status = status
        member.save(update_fields=["status"])
    return member


# ---------------------------------------------------------------- responses


@transaction.atomic
def response_record(*, actor, member: CampaignMember, kind: str, note: str = "", channel: str = "",
                    create_lead: bool = False, at: dt.datetime | None = None) -> CampaignResponse:
    """A member answered: recorded, the member marked responded (converted when they bought, opted out
    when they asked to unsubscribe — which records the opt-out); `create_lead` captures a lead of
    source "campaign" for the customer, attributed to the campaign."""
    customer = member.customer
    permissions.campaign_require(actor, "response", "write",
                                 allowed=permissions.customer_reach(actor, "response", "write", customer))
    errors = {}
    if kind not in ResponseKind.values:
        errors["kind"] = gettext_noop("choose a response")
    if channel and channel not in CampaignChannel.values:
        errors["channel"] = gettext_noop("one of: SMS, e-mail, call")
    if len(note or "") > 500:
        errors["note"] = gettext_noop("at most 500 characters")
    if errors:
        raise ValidationFailed(fields=errors)
    member = CampaignMember.objects.select_for_update().select_related("campaign").get(pk=member.pk)
    if member.status in (MemberStatus.PENDING, MemberStatus.SKIPPED, MemberStatus.FAILED):
        raise Conflict(gettext_noop("This member was not sent the campaign."), code="member_not_sent")
    at = at or timezone.now()
    lead = None
    if create_lead:
        lead = _lead_for(actor, member, note, at)
    response = CampaignResponse.objects.create(member=member, kind=kind, channel=channel, note=(note or "").strip(),
                                               responded_at=at, lead=lead, recorded_by=user_of(actor))
    new_status = {ResponseKind.PURCHASED: MemberStatus.CONVERTED,
                  ResponseKind.UNSUBSCRIBE: MemberStatus.OPTED_OUT}.get(kind, MemberStatus.RESPONDED)
    if member.status != MemberStatus.CONVERTED or new_status == MemberStatus.OPTED_OUT:
        member.status = new_status
    member.responded_at = member.responded_at or at
    member.save(update_fields=["status", "responded_at"])
    if kind == ResponseKind.UNSUBSCRIBE:
        _opt_out(customer, OptOutChannel.ALL, OptOutSource.STAFF, actor, campaign=member.campaign, note=note)
    return response


def _lead_for(actor, member: CampaignMember, note: str, at: dt.datetime):
    customer = member.customer
    data = {"person_name": customer.name[:100], "mobile": customer.mobile, "email": customer.email,
            "industry": customer.industry, "interest": (note or member.campaign.name)[:500],
            "source_detail": member.campaign.name[:100]}
    owner = "default"
    if customer.owner and permissions.may_own(customer.owner) and (
            is_system(actor) or permissions.scope(actor, "lead", "write") is permissions.ALL):
        owner = customer.owner
    return lead_create(actor=actor, data=data, source=LeadSource.CAMPAIGN, owner=owner, at=at,
                       campaign=member.campaign)


# ---------------------------------------------------------------- opt-outs (退订)


def _opt_out(customer, channel, source, actor, *, campaign=None, note="") -> MarketingOptOut:
    existing = MarketingOptOut.objects.filter(customer=customer, channel=channel).first()
    if existing is not None:
        return existing
    opt_out = MarketingOptOut(customer=customer, channel=channel, source=source, campaign=campaign,
                              note=(note or "")[:200], recorded_by=user_of(actor))
    opt_out._history_user = user_of(actor)
    opt_out.save()
    return opt_out


@transaction.atomic
def opt_out_record(*, actor, customer: Customer, channel: str, note: str = "",
                   source: str = OptOutSource.STAFF) -> MarketingOptOut:
    """The customer refuses marketing on `channel` (or all): honoured by every send from now on;
    recording it twice is harmless."""
    permissions.campaign_require(actor, "opt_out", "write",
                                 allowed=permissions.customer_reach(actor, "opt_out", "write", customer))
    if channel not in OptOutChannel.values:
        raise ValidationFailed(fields={"channel": gettext_noop("one of: all, SMS, e-mail, call")})
    if len(note or "") > 200:
        raise ValidationFailed(fields={"note": gettext_noop("at most 200 characters")})
    return _opt_out(customer, channel, source, actor, note=note)


@transaction.atomic
def opt_out_withdraw(*, actor, opt_out: MarketingOptOut) -> None:
    """The customer agrees to marketing again on that channel (their opt-out is deleted, its history kept)."""
    permissions.campaign_require(actor, "opt_out", "write",
                                 allowed=permissions.customer_reach(actor, "opt_out", "write", opt_out.customer))
    opt_out._history_user = user_of(actor)
    opt_out.delete()


@transaction.atomic
def opt_out_from_reply(*, phone: str, text: str) -> MarketingOptOut | None:
    """An SMS reply: "TD" (退订, STOP…) from a customer's mobile opts them out of SMS; other replies
    and unknown numbers are ignored (None). For an inbound-SMS hook of a messaging backend."""
    if (text or "").strip().upper() not in REPLY_WORDS:
        return None
    customer = customer_match_phone(phone=phone)
    if customer is None:
        return None
    return _opt_out(customer, OptOutChannel.SMS, OptOutSource.REPLY, SYSTEM)


@transaction.atomic
def opt_out_from_link(*, token: str) -> MarketingOptOut:
    """The unsubscribe link of a campaign e-mail: the member's customer opts out of e-mail."""
    try:
        member_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)["m"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise ValidationFailed(gettext_noop("This unsubscribe link is not valid."), code="bad_link") from exc
    member = CampaignMember.objects.select_related("customer", "campaign").filter(pk=member_id).first()
    if member is None:
        raise ValidationFailed(gettext_noop("This unsubscribe link is not valid."), code="bad_link")
    if member.status in (MemberStatus.SENT, MemberStatus.DELIVERED, MemberStatus.OPENED):
        CampaignMember.objects.filter(pk=member.pk).update(status=MemberStatus.OPTED_OUT)
    return _opt_out(member.customer, OptOutChannel.EMAIL, OptOutSource.LINK, SYSTEM, campaign=member.campaign)


# ---------------------------------------------------------------- expenses (费用报销)


@transaction.atomic
def expense_submit(*, actor, campaign: Campaign, amount, category: str, spent_on: dt.date, channel: str = "",
                   description: str = "") -> CampaignExpense:
    """A claim against a campaign, waiting for a manager's approval; amounts above 0 only."""
    permissions.campaign_require(actor, "expense", "write")
    errors = {}
    amount, reason = _amount(amount, positive=True)
    if reason:
        errors["amount"] = reason
    if category not in ExpenseCategory.values:
        errors["category"] = gettext_noop("choose a category")
    if channel and channel not in campaign.channels:
        errors["channel"] = gettext_noop("one of the campaign's channels")
    if not isinstance(spent_on, dt.date) or not 2000 <= spent_on.year <= 2999:
        errors["spent_on"] = gettext_noop("a date from 2000 to 2999")
    if len(description or "") > 200:
        errors["description"] = gettext_noop("at most 200 characters")
    if errors:
        raise ValidationFailed(fields=errors)
    expense = CampaignExpense(campaign=campaign, amount=amount, category=category, channel=channel,
                              spent_on=spent_on, description=(description or "").strip(),
                              submitted_by=user_of(actor))
    expense._history_user = user_of(actor)
    expense.save()
    return expense


@transaction.atomic
def expense_decide(*, actor, expense: CampaignExpense, approve: bool,
                   at: dt.datetime | None = None) -> CampaignExpense:
    """Approve (it counts in the ROI) or reject a submitted claim; a decided claim stays decided (409)."""
    permissions.campaign_require(actor, "expense", "configure")
    expense = CampaignExpense.objects.select_for_update().get(pk=expense.pk)
    if expense.status != ExpenseStatus.SUBMITTED:
        raise Conflict(gettext_noop("This expense was already approved or rejected."), code="expense_decided")
    expense.status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
    expense.decided_by, expense.decided_at = user_of(actor), at or timezone.now()
    expense._history_user = user_of(actor)
    expense.save()
    return expense
