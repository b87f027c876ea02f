"""Writes of surveys: sending (post-case trigger with its rules, by hand), the web link's single-use
token, recording answers (web, phone, the repair callback), expiry, opt-outs, and the follow-up task
a dissatisfied answer creates for the case owner."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.core.errors import Conflict, DomainError, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.integrations.messaging.services import message_send
from guanxi.tasks.services import task_create

from .. import permissions
from ..analysis import snapshot
from ..enums import (
    SCALES,
    Dimension,
    Purpose,
    QuestionType,
    SurveyMode,
    SurveyStatus,
    SurveyTrigger,
    VersionStatus,
)
from ..models import Answer, Question, QuestionnaireVersion, Survey, SurveyOptOut, SurveyResponse
from . import response_sql

FOLLOW_UP_KIND = "survey_follow_up"
# A scored answer at or below these is dissatisfied (overall rating, or any NPS).
DISSATISFIED_AT_MOST = {QuestionType.RATING_5: 2, QuestionType.RATING_10: 4, QuestionType.NPS: 6}
# A repair callback's outcome as a share of the overall rating's scale.
CALLBACK_SHARE = {"satisfied": 1.0, "neutral": 0.5, "dissatisfied": 0.0}
MAX_TEXT = 2000
LINK_SALT = "guanxi.surveys.link"


class LinkRefused(DomainError):
    """A web link that cannot be answered: `code` says why (forged, used, expired)."""

    status = 410


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


LINK_MARKER = "0:gx-token"  # stands for the token while the link's URL is reversed


def survey_token(survey: Survey) -> str:
    """The web link's token: the survey's id signed with the project's key (unforgeable, and the
    same whenever it is made, so that the portal can show the link the SMS carried)."""
    return signing.Signer(salt=LINK_SALT).sign(str(survey.pk))


def survey_link(token: str) -> str:
    return settings.SURVEY_PUBLIC_BASE_URL.rstrip("/") + reverse("surveys_public:answer", args=[token])


def survey_link_maker() -> Callable[[str], str]:
    """`survey_link` for many tokens: the URL reversed once, each token put in its place (a reverse()
    per link was most of a wave launch's time). Tokens are signed ids, which need no quoting."""
    head, tail = survey_link(LINK_MARKER).rsplit(LINK_MARKER, 1)
    return lambda token: f"{head}{token}{tail}"


def current_version(purpose: str = Purpose.POST_CASE) -> QuestionnaireVersion | None:
    """The published version of the first questionnaire in use for `purpose`."""
    return (QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED, questionnaire__purpose=purpose,
                                                questionnaire__is_active=True)
            .select_related("questionnaire").order_by("questionnaire__code").first())


def _save(record, actor) -> None:
    record._history_user = user_of(actor)
    record.save()


def invitation_messages(invitations: Iterable[tuple[Survey, Customer, str]]) -> list[dict]:
    """The invitations (survey, customer, token) with the web link, by SMS (else e-mail), in each survey's
    language; the wording is looked up once per version and language, not once per customer."""
    link = survey_link_maker()
    wording: dict[tuple[int, str], tuple[str, str]] = {}
    messages = []
    for survey, customer, token in invitations:
        key = (survey.version_id, survey.language)
        if key not in wording:
            with translation.override(survey.language):
                wording[key] = (survey.version.title(survey.language),
                                _("%(name)s, please tell us how we did (%(title)s): %(link)s"))
        title, text = wording[key]
        body = text % {"name": customer.name, "title": title, "link": link(token)}
        if customer.mobile:
            messages.append({"channel": "sms", "recipient": customer.mobile, "subject": "", "body": body})
        else:
            messages.append({"channel": "email", "recipient": customer.email, "subject": title, "body": body})
    return messages


def _invite(survey: Survey, customer: Customer, token: str) -> None:
    message_send(**invitation_messages([(survey, customer, token)])[0])


def _may_survey(customer: Customer, now: dt.datetime) -> bool:
    """Not opted out, reachable, and no survey within the quiet period."""
    if SurveyOptOut.objects.filter(customer=customer).exists() or not (customer.mobile or "@" in customer.email):
        return False
    quiet_from = now - dt.timedelta(days=settings.SURVEY_QUIET_DAYS)
    return not Survey.objects.filter(customer=customer, sent_at__gte=quiet_from).exists()


def survey_create(*, version, customer, mode, trigger, ticket=None, now, with_link: bool,
                  wave_id: int | None = None, days: int | None = None) -> tuple[Survey, str]:
    """A new survey and its sent count, with its link's token when `with_link`: the building block of the
    sending services here and in `channels`/`imports`, which check the actor and the rules first."""
    survey = Survey(version=version, customer=customer, ticket=ticket, mode=mode, trigger=trigger, sent_at=now,
                    wave_id=wave_id, expires_at=now + dt.timedelta(days=days or settings.SURVEY_LINK_DAYS))
    survey._history_user = None
    survey.save()
    snapshot.record_sent(survey)
    token = survey_token(survey) if with_link else ""
    if token:
        survey.token_hash = token_hash(token)
        Survey.objects.filter(pk=survey.pk).update(token_hash=survey.token_hash)
    return survey, token


def survey_after_case(*, ticket, now: dt.datetime | None = None) -> Survey | None:
    """The post-case survey of a closed case, sent by web link: none when the case has one already
    (a unique constraint decides between concurrent closes), when no questionnaire is published,
    when the customer opted out, cannot be reached or was surveyed within the quiet period."""
    now = now or timezone.now()
    version = current_version()
    customer = ticket.customer
    if version is None or customer is None or Survey.objects.filter(ticket=ticket).exists():
        return None
    if not _may_survey(customer, now):
        return None
    try:
        with transaction.atomic():
            survey, token = survey_create(version=version, customer=customer, mode=SurveyMode.WEB,
                                    trigger=SurveyTrigger.POST_CASE, ticket=ticket, now=now, with_link=True)
    except IntegrityError:  # another transaction surveyed this case first
        return None
    _invite(survey, customer, token)
    return survey


# ---------------------------------------------------------------- answers


def _scored(question: Question, raw) -> float:
    lo, hi = SCALES[question.type]
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not lo <= value <= hi:
        raise ValueError(_("a whole number from %(lo)d to %(hi)d") % {"lo": lo, "hi": hi})
    return float(value)


def answer_clean(question: Question, raw):
    """One answer checked against its question: (raw value to store, score or None); ValueError with
    the reason. Shared by every channel (web, phone, SMS, IVR, third-party import)."""
    values = {option["value"] for option in question.options}
    if question.type in SCALES:
        score = _scored(question, raw)
        return int(score), score
    if question.type == QuestionType.SINGLE:
        if str(raw) not in values:
            raise ValueError(_("one of the options"))
        return str(raw), None
    if question.type == QuestionType.MULTIPLE:
        chosen = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw])]
        if not chosen or not set(chosen) <= values:
            raise ValueError(_("one or more of the options"))
        return list(dict.fromkeys(chosen)), None
    text = str(raw or "").strip()
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValueError(_("at most %(count)d characters") % {"count": MAX_TEXT})
    return text, None


def _blank(raw) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def _clean_answers(questions: list[Question], answers: dict, *, complete: bool) -> list[tuple[Question, object, float]]:
    """Each given answer checked against its question (keys: the question's order); with `complete`,
    every required question answered. ValidationFailed names each bad field `q<order>`."""
    errors, cleaned = {}, []
    for question in questions:
        raw = answers.get(question.order)
        if _blank(raw):
            if complete and question.is_required:
                errors[f"q{question.order}"] = _("required")
            continue
        try:
            cleaned.append((question, *answer_clean(question, raw)))
        except ValueError as exc:
            errors[f"q{question.order}"] = str(exc)
    if errors:
        raise ValidationFailed(_("Some answers are missing or not valid."), fields=errors)
    if not cleaned:
        raise ValidationFailed(_("Some answers are missing or not valid."), fields={"answers": _("required")})
    return cleaned


def _pct(question: Question, score: float | None) -> float | None:
    if score is None:
        return None
    lo, hi = SCALES[question.type]
    return round((score - lo) * 100 / (hi - lo), 2)


def _is_dissatisfied(question: Question, score: float | None) -> bool:
    if score is None or question.type not in DISSATISFIED_AT_MOST:
        return False
    overall = question.dimension == Dimension.OVERALL or question.type == QuestionType.NPS
    return overall and score <= DISSATISFIED_AT_MOST[question.type]


def _follow_up(survey: Survey, at: dt.datetime) -> None:
    """A follow-up task for the case's owner (or its team) after a dissatisfied answer."""
    ticket = survey.ticket
    if ticket is None or (ticket.owner_id is None and ticket.team_id is None):
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Dissatisfied survey answer: %(number)s %(name)s") % {
            "number": ticket.number, "name": survey.customer.name}
        task_create(actor=SYSTEM, kind=FOLLOW_UP_KIND, subject=subject[:200], due_at=at + dt.timedelta(days=1),
                    customer=survey.customer, assignee=ticket.owner, team=ticket.team, source=survey,
                    source_label=subject[:200], source_url=reverse("surveys:response_detail", args=[survey.pk]))


def response_record(survey: Survey, cleaned, *, mode: str, recorded_by, at: dt.datetime) -> SurveyResponse:
    """Store the response and its answers (cleaned by `answer_clean`) on a survey the caller locked and
    found unanswered, in the caller's transaction (on PostgreSQL in one statement, see `response_sql`);
    dissatisfied → follow-up."""
    if connection.vendor == "postgresql":
        response = response_sql.record(survey, [(q, raw, score, _pct(q, score)) for q, raw, score in cleaned],
                                       mode=mode, recorded_by=recorded_by, at=at)
        if response is None:
            raise Conflict(_("This survey is answered or expired already."), code="not_open")
    else:
        response = SurveyResponse(survey=survey, answered_at=at, mode=mode, recorded_by=recorded_by)
        _save(response, recorded_by)
        answers = Answer.objects.bulk_create([
            Answer(response=response, question=q, raw=raw, score=score, score_pct=_pct(q, score),
                   dimension=q.dimension if score is not None else "", answered_at=at)
            for q, raw, score in cleaned])
        survey.status, survey.answered_at, survey.mode = SurveyStatus.ANSWERED, at, mode
        _save(survey, recorded_by)
        snapshot.record_answers(survey, answers, at=at)
    if any(_is_dissatisfied(q, score) for q, _raw, score in cleaned):
        _follow_up(survey, at)
    return response


def _questions(survey: Survey) -> list[Question]:
    return list(survey.version.questions.all())


@transaction.atomic
def survey_answer_by_token(*, token: str, answers: dict, now: dt.datetime | None = None) -> SurveyResponse:
    """The customer's answers through the web link: once (the survey row is locked, a second answer
    is refused), before expiry, for a link the product made. Refusals are LinkRefused with the code
    `forged`, `used` or `expired`."""
    now = now or timezone.now()
    survey = survey_by_token(token, lock=True, now=now)
    cleaned = _clean_answers(_questions(survey), answers, complete=True)
    return response_record(survey, cleaned, mode=SurveyMode.WEB, recorded_by=None, at=now)


def survey_by_token(token: str, *, lock: bool = False, now: dt.datetime | None = None) -> Survey:
    """The open survey of a link at `now` (default: the present); LinkRefused (forged, used, expired)
    otherwise."""
    rows = Survey.objects.select_related("version", "customer", "ticket")
    rows = rows.select_for_update(of=("self",)) if lock else rows
    survey = rows.filter(token_hash=token_hash(token or "")).first() if token and len(token) <= 100 else None
    if survey is None:
        raise LinkRefused(gettext_noop("This survey link is not valid."), code="forged")
    if survey.status == SurveyStatus.ANSWERED:
        raise LinkRefused(gettext_noop("This survey has already been answered. Thank you!"), code="used")
    if survey.status == SurveyStatus.EXPIRED or survey.expires_at <= (now or timezone.now()):
        raise LinkRefused(gettext_noop("This survey link has expired."), code="expired")
    return survey


@transaction.atomic
def survey_answer_by_phone(*, actor, survey: Survey, answers: dict, at: dt.datetime | None = None) -> SurveyResponse:
    """Answers an agent took by phone on a survey of a case they may work on; once."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("ticket", "customer", "version") \
        .get(pk=survey.pk)
    permissions.require(actor, "response", "write", allowed=permissions.may_write_survey(actor, survey))
    if survey.status != SurveyStatus.SENT:
        raise Conflict(_("This survey is answered or expired already."), code="not_open")
    cleaned = _clean_answers(_questions(survey), answers, complete=True)
    return response_record(survey, cleaned, mode=SurveyMode.PHONE, recorded_by=user_of(actor),
                           at=at or timezone.now())


def survey_from_callback(*, callback, actor, at: dt.datetime) -> SurveyResponse | None:
    """A repair callback (回访) recorded as a phone survey on the post-case questionnaire: its outcome
    answers the overall rating. On the case's open survey if it has one, else on a new one; nothing
    when the case's survey is answered, the customer opted out, the customer was not reached or no
    questionnaire is published."""
    ticket = callback.ticket
    share = CALLBACK_SHARE.get(callback.outcome)
    version = current_version()
    if share is None or ticket.customer_id is None or version is None:
        return None
    if SurveyOptOut.objects.filter(customer_id=ticket.customer_id).exists():
        return None
    survey = Survey.objects.select_for_update(of=("self",)).filter(ticket=ticket).first()
    if survey is None:
        try:
            with transaction.atomic():
                survey, _token = survey_create(version=version, customer=ticket.customer, mode=SurveyMode.PHONE,
                                         trigger=SurveyTrigger.CALLBACK, ticket=ticket, now=at, with_link=False)
        except IntegrityError:
            survey = Survey.objects.select_for_update(of=("self",)).get(ticket=ticket)
    if survey.status != SurveyStatus.SENT:
        return None
    overall = survey.version.questions.filter(dimension=Dimension.OVERALL, type__in=list(SCALES)).first()
    if overall is None:
        return None
    lo, hi = SCALES[overall.type]
    score = float(round(lo + share * (hi - lo)))
    return response_record(survey, [(overall, int(score), score)], mode=SurveyMode.PHONE, recorded_by=user_of(actor),
                           at=at)


@transaction.atomic
def surveys_expire(*, actor, now: dt.datetime | None = None) -> int:
    """Mark unanswered surveys past their expiry as expired; how many."""
    permissions.require(actor, "response", "write", allowed=permissions.scope(actor, "response", "write")
                        is permissions.ALL)
    return Survey.objects.filter(status=SurveyStatus.SENT, expires_at__lte=now or timezone.now()) \
        .update(status=SurveyStatus.EXPIRED, updated_at=timezone.now())


@transaction.atomic
def survey_opt_out(*, actor, customer: Customer, reason: str = "") -> SurveyOptOut:
    """The customer asked not to be surveyed again (idempotent)."""
    permissions.require(actor, "response", "write")
    opt_out = SurveyOptOut.objects.filter(customer=customer).first()
    if opt_out is None:
        opt_out = SurveyOptOut(customer=customer, reason=(reason or "").strip()[:200])
        _save(opt_out, actor)
    return opt_out

