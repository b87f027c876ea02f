"""Writes of survey waves (调查批次): create with a sampling plan, draw the stratified sample, launch (one
survey per member, in one transaction), remind members who have not answered, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.integrations.messaging.services import message_queue_many, message_send

from .. import permissions
from ..analysis import snapshot
from ..enums import SurveyMode, SurveyStatus, SurveyTrigger, VersionStatus, WaveStatus
from ..launch_progress import launch_progress_clear, launch_progress_write
from ..models import QuestionnaireVersion, Survey, SurveyWave, WaveMember, WaveReminder
from .surveys import invitation_messages, survey_link, survey_token, token_hash

# Modes whose invitation goes out as a message with the web link; phone and third-party waves are
# worked from the member list (an agent's script page, the agency's import).
LINK_MODES = frozenset({SurveyMode.WEB, SurveyMode.SMS, SurveyMode.EMAIL})
BATCH = 2_000
# What a launch reads of each member (the customer's whole row is wide).
MEMBER_FIELDS = ("id", "wave", "customer", "survey", "stratum", "customer__name", "customer__mobile",
                 "customer__email")
MAX_REMINDERS, MAX_INTERVAL = 5, 60


def _save(wave: SurveyWave, actor) -> None:
    wave._history_user = user_of(actor)
    wave.save()


def _quotas(raw, errors: dict) -> dict[str, dict]:
    from ..sampling import Quota  # the sampling engine (numpy, pandas) loads when a wave is planned

    quotas = {}
    for stratum, bounds in (raw or {}).items():
        try:
            minimum = int((bounds or {}).get("minimum") or 0)
            maximum = (bounds or {}).get("maximum")
            Quota(minimum, None if maximum is None else int(maximum))
        except (TypeError, ValueError, AttributeError):
            errors["quotas"] = _("Each quota needs 0 ≤ minimum ≤ maximum.")
            continue
        quotas[str(stratum)] = {"minimum": minimum, "maximum": None if maximum is None else int(maximum)}
    return quotas


def wave_create(
    *,
    actor,
    name: str,
    version: QuestionnaireVersion,
    mode: str,
    sample_size: int,
    seed: int,
    dimensions: list[str] | None = None,
    method: str = "proportional",
    quotas: dict | None = None,
    quiet_days: int = 90,
    exclude_opted_out: bool = True,
    reminder_count: int = 2,
    reminder_interval_days: int = 3,
) -> SurveyWave:
    """A draft wave on a published questionnaire version that the mode can carry."""
    from ..sampling import DIMENSIONS, METHODS_ALL

    permissions.require(actor, "wave", "write")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = _("required, at most 120 characters")
    if version.status != VersionStatus.PUBLISHED:
        errors["version"] = _("Only a published questionnaire version can be sent.")
    if mode not in SurveyMode.values:
        errors["mode"] = _("one of: %(values)s") % {"values": ", ".join(SurveyMode.values)}
    elif version.modes and mode not in version.modes:
        errors["mode"] = _("This questionnaire version is not meant for this mode.")
    dimensions = list(dimensions or DIMENSIONS)
    if not dimensions or not set(dimensions) <= set(DIMENSIONS) or len(set(dimensions)) != len(dimensions):
        errors["dimensions"] = _("one or more of: %(values)s") % {"values": ", ".join(DIMENSIONS)}
    if method not in METHODS_ALL:
        errors["method"] = _("one of: %(values)s") % {"values": ", ".join(METHODS_ALL)}
    if not 0 < int(sample_size) <= 1_000_000:
        errors["sample_size"] = _("between 1 and 1,000,000")
    if not 0 <= int(quiet_days) <= 3650:
        errors["quiet_days"] = _("between 0 and 3650")
    if not 0 <= int(reminder_count) <= MAX_REMINDERS:
        errors["reminder_count"] = _("between 0 and %(max)d") % {"max": MAX_REMINDERS}
    if not 1 <= int(reminder_interval_days) <= MAX_INTERVAL:
        errors["reminder_interval_days"] = _("between 1 and %(max)d") % {"max": MAX_INTERVAL}
    clean_quotas = _quotas(quotas, errors)
    if errors:
        raise ValidationFailed(_("The wave cannot be created."), fields=errors)
    with transaction.atomic():
        wave = SurveyWave(
            name=name,
            version=version,
            mode=mode,
            sample_size=int(sample_size),
            seed=int(seed),
            dimensions=dimensions,
            method=method,
            quotas=clean_quotas,
            quiet_days=int(quiet_days),
            exclude_opted_out=bool(exclude_opted_out),
            reminder_count=int(reminder_count),
            reminder_interval_days=int(reminder_interval_days),
            created_by=user_of(actor),
        )
        _save(wave, actor)
    return wave


def _locked(wave: SurveyWave) -> SurveyWave:
    return SurveyWave.objects.select_for_update().get(pk=wave.pk)


def _plan(wave: SurveyWave):
    from ..sampling import Quota, SamplingPlan

    quotas = {h: Quota(q.get("minimum", 0), q.get("maximum")) for h, q in (wave.quotas or {}).items()}
    return SamplingPlan(
        size=wave.sample_size, seed=wave.seed, method=wave.method, dimensions=tuple(wave.dimensions), quotas=quotas
    )


def wave_draw(*, actor, wave: SurveyWave, now: dt.datetime | None = None) -> SurveyWave:
    """Draw (or, before launch, draw again) the wave's sample: members with their stratum and the strata
    table. The same plan over the same customers always gives the same members."""
    from ..sampling.sql import draw_sample

    permissions.require(actor, "wave", "write")
    now = now or timezone.now()
    with transaction.atomic():
        wave = _locked(wave)
        if wave.status not in (WaveStatus.DRAFT, WaveStatus.SAMPLED):
            raise Conflict(_("The sample of a launched wave cannot be drawn again."), code="wave_launched")
        quiet_since = now - dt.timedelta(days=wave.quiet_days) if wave.quiet_days else None
        result = draw_sample(_plan(wave), exclude_opted_out=wave.exclude_opted_out, quiet_since=quiet_since)
        wave.members.all().delete()
        WaveMember.objects.bulk_create(
            [
                WaveMember(wave=wave, customer_id=int(c), stratum=str(h))
                for c, h in zip(result.sample["customer_id"].tolist(), result.sample["stratum"].tolist(), strict=True)
            ],
            batch_size=2000,
        )
        wave.strata = [{k: v for k, v in row.items()} for row in result.strata if row["population"]]
        wave.arpu_edges = list(result.arpu_band_edges)
        wave.status, wave.sampled_at = WaveStatus.SAMPLED, now
        _save(wave, actor)
    return wave


Progress = Callable[[int, int], None]  # (members launched, all members)


def wave_launch(*, actor, wave: SurveyWave, now: dt.datetime | None = None,
                progress: Progress | None = None) -> SurveyWave:
    """Send the wave: one survey per member by the wave's mode (the invitation with the link by SMS or
    e-mail for link modes), all in one transaction; a second launch is a conflict. The progress, batch
    by batch, goes to `progress` and to the file the wave page polls (`launch_progress`)."""
    permissions.require(actor, "wave", "write")
    now = now or timezone.now()
    days = (wave.reminder_count + 1) * wave.reminder_interval_days + 7
    try:
        with transaction.atomic():
            wave = _locked(wave)
            if wave.status != WaveStatus.SAMPLED:
                raise Conflict(
                    _("Only a wave with a drawn sample that has not been launched can be launched."),
                    code="wave_not_launchable",
                )
            members = list(wave.members.select_related("customer").only(*MEMBER_FIELDS).order_by("id"))
            if not members:
                raise Conflict(_("The wave's sample is empty."), code="wave_empty")
            for start in range(0, len(members), BATCH):
                _report(wave, progress, start, len(members))
                _launch_members(wave, members[start:start + BATCH], now=now, days=days, actor=actor)
            _report(wave, progress, len(members), len(members))
            wave.status, wave.launched_at = WaveStatus.RUNNING, now
            _save(wave, actor)
            if wave.mode in LINK_MODES:
                from guanxi.integrations.messaging.tasks import deliver_queued

                transaction.on_commit(deliver_queued.delay)
    finally:
        launch_progress_clear(wave.pk)
    return wave


def _report(wave: SurveyWave, progress: Progress | None, done: int, total: int) -> None:
    launch_progress_write(wave.pk, done=done, total=total)
    if progress:
        progress(done, total)


def _launch_members(wave: SurveyWave, members: list[WaveMember], *, now: dt.datetime, days: int, actor) -> None:
    """One batch, set-based: the surveys and their history rows in bulk inserts, the link tokens in one
    bulk update, the snapshot's sent count in one row, the invitations queued in bulk (delivered by the
    messaging task after commit) — a few statements per batch instead of a dozen per member."""
    from simple_history.utils import bulk_create_with_history

    version = wave.version
    expires = now + dt.timedelta(days=days)
    surveys = bulk_create_with_history(
        [Survey(version=version, customer=m.customer, mode=wave.mode, trigger=SurveyTrigger.WAVE, sent_at=now,
                wave_id=wave.pk, expires_at=expires) for m in members],
        Survey, batch_size=BATCH, default_user=user_of(actor), default_date=now)
    if any(s.pk is None for s in surveys):  # a database that does not return the new ids
        by_customer = dict(Survey.objects.filter(wave_id=wave.pk, customer_id__in=[m.customer_id for m in members])
                           .values_list("customer_id", "pk"))
        for survey in surveys:
            survey.pk = survey.id = by_customer[survey.customer_id]
    for survey in surveys:  # the history helper may hand back re-read rows: the version without a query each
        survey.version = version
    snapshot.record_sent_bulk(surveys)
    invitations = []
    if wave.mode in LINK_MODES:
        for survey, member in zip(surveys, members, strict=True):
            token = survey_token(survey)
            survey.token_hash = token_hash(token)
            if _reachable(member.customer):
                invitations.append((survey, member.customer, token))
        _set_column(Survey, "token_hash", [s.pk for s in surveys], [s.token_hash for s in surveys], "text")
    for survey, member in zip(surveys, members, strict=True):
        member.survey = survey
    _set_column(WaveMember, "survey_id", [m.pk for m in members], [s.pk for s in surveys], "bigint")
    if invitations:
        message_queue_many(messages=invitation_messages(invitations))


def _set_column(model, column: str, ids: list[int], values: list, sql_type: str) -> None:
    """row.column = value for many rows: one UPDATE … FROM unnest on PostgreSQL (bulk_update's CASE over
    thousands of rows is quadratic there), bulk_update elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 10 * BATCH):
                cursor.execute(
                    f"UPDATE {model._meta.db_table} t SET {column} = v.value "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                    f"FROM unnest(%s::bigint[], %s::{sql_type}[]) AS v(id, value) WHERE t.id = v.id",
                    [ids[start:start + 10 * BATCH], values[start:start + 10 * BATCH]])
        return
    rows = [model(pk=pk, **{column: value}) for pk, value in zip(ids, values, strict=True)]
    model.objects.bulk_update(rows, [column], batch_size=BATCH)


def _reachable(customer) -> bool:
    return bool(customer.mobile or "@" in (customer.email or ""))


def wave_close(*, actor, wave: SurveyWave, now: dt.datetime | None = None) -> SurveyWave:
    """Close a running wave: no more reminders; answers still arriving by open links are kept."""
    permissions.require(actor, "wave", "write")
    with transaction.atomic():
        wave = _locked(wave)
        if wave.status != WaveStatus.RUNNING:
            raise Conflict(_("Only a running wave can be closed."), code="wave_not_running")
        wave.status, wave.closed_at = WaveStatus.CLOSED, now or timezone.now()
        _save(wave, actor)
    return wave


def reminder_round(wave: SurveyWave, now: dt.datetime) -> int:
    """The reminder round due at `now`: k once k intervals have passed since launch (at most the
    wave's number of reminders), 0 before the first."""
    if wave.launched_at is None or not wave.reminder_count:
        return 0
    passed = (now - wave.launched_at) // dt.timedelta(days=wave.reminder_interval_days)
    return max(0, min(int(passed), wave.reminder_count))


def _remind(member: WaveMember, round_no: int) -> None:
    customer, survey = member.customer, member.survey
    with translation.override(survey.language):
        title = survey.version.title(survey.language)
        body = _("%(name)s, a reminder: we would value your answers to %(title)s: %(link)s") % {
            "name": customer.name,
            "title": title,
            "link": survey_link(survey_token(survey)),
        }
        if customer.mobile:
            message_send(channel="sms", recipient=customer.mobile, body=body)
        else:
            message_send(channel="email", recipient=customer.email, subject=title, body=body)


def waves_send_reminders(*, actor, now: dt.datetime | None = None) -> int:
    """For every running wave with a round due, remind each member whose survey is still unanswered,
    once per member and round (a unique row decides: a repeated or concurrent run sends nothing twice).
    Returns the number of reminders sent."""
    permissions.require(actor, "wave", "write")
    now = now or timezone.now()
    sent = 0
    for wave in SurveyWave.objects.filter(status=WaveStatus.RUNNING, mode__in=LINK_MODES, reminder_count__gt=0):
        round_no = reminder_round(wave, now)
        if not round_no:
            continue
        due = (
            wave.members.filter(survey__status=SurveyStatus.SENT, survey__expires_at__gt=now)
            .exclude(reminders__round=round_no)
            .select_related("customer", "survey", "survey__version")
        )
        for member in due.iterator(chunk_size=2000):
            if not _reachable(member.customer):
                continue
            try:
                with transaction.atomic():
                    WaveReminder.objects.create(member=member, round=round_no, sent_at=now)
                    _remind(member, round_no)
            except IntegrityError:  # another run reminded this member for this round
                continue
            sent += 1
    return sent
