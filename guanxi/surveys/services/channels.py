"""Survey channels beyond the web link: a survey sent by hand by SMS (its questions in the text,
answered by reply), by e-mail (the link, in the survey's language) or for the IVR (answered by key
presses arriving as signed CTI events). A survey is answered once: its row is locked and the
response is one-to-one with it, so concurrent replies count once."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.customers import normalize
from guanxi.customers.models import Customer
from guanxi.integrations.messaging.inbound import InboundResult
from guanxi.integrations.messaging.services import message_send
from guanxi.marketing.services.campaigns import REPLY_WORDS, opt_out_from_reply

from .. import permissions
from ..enums import SCALES, QuestionType, SurveyMode, SurveyStatus, SurveyTrigger
from ..models import Question, QuestionnaireVersion, Survey, SurveyOptOut, SurveyResponse
from .surveys import answer_clean, current_version, response_record, survey_create, survey_link, survey_opt_out

# What a reply or key presses can carry (SPEC G.3, design.py): scores, options by their numbers and,
# by SMS only, free text as a word reply.
KEYED_TYPES = frozenset({QuestionType.RATING_5, QuestionType.RATING_10, QuestionType.NPS, QuestionType.SINGLE})
CARRIED_TYPES = {
    SurveyMode.SMS: KEYED_TYPES | {QuestionType.MULTIPLE, QuestionType.TEXT},
    SurveyMode.IVR: KEYED_TYPES | {QuestionType.MULTIPLE},
}
SENDABLE_MODES = (SurveyMode.SMS, SurveyMode.EMAIL, SurveyMode.IVR)
# Words a customer may reply instead of a digit, as a share of the rating's scale.
REPLY_SCALE_WORDS = {
    "非常满意": 1.0,
    "很满意": 1.0,
    "满意": 0.75,
    "一般": 0.5,
    "不满意": 0.25,
    "很不满意": 0.0,
    "非常不满意": 0.0,
    "VERY SATISFIED": 1.0,
    "SATISFIED": 0.75,
    "NEUTRAL": 0.5,
    "OK": 0.5,
    "DISSATISFIED": 0.25,
    "UNSATISFIED": 0.25,
    "VERY DISSATISFIED": 0.0,
}
_SEPARATORS = re.compile(r"[\s,;、，；/]+")
_WEAK = re.compile(r"[^\s,、，/+]+")  # the tokens of one answer ("1 3", "1,3", "1、3")
_STRONG = re.compile(r"[;；\n\r]+")  # between answers, needed after a free-text or multiple answer
_TRAILING = "。.!！?？~～"


@dataclass(frozen=True)
class KeyedAnswers:
    """A reply or key presses matched to the carried questions: cleaned answers or the reason."""

    cleaned: list
    problem: str = ""


def carried_questions(version: QuestionnaireVersion, mode: str = SurveyMode.SMS) -> list[Question]:
    """The questions an SMS reply or the IVR's key presses carry, in order (IVR leaves free text out)."""
    types = CARRIED_TYPES.get(mode, KEYED_TYPES)
    return [q for q in version.questions.all() if q.type in types]


def _word_score(question: Question, token: str) -> int | None:
    share = REPLY_SCALE_WORDS.get(token.upper())
    if share is None or question.type not in SCALES:
        return None
    lo, hi = SCALES[question.type]
    return round(lo + share * (hi - lo))


def _option_value(question: Question, token: str) -> str:
    if token.isdigit() and 1 <= int(token) <= len(question.options):
        return question.options[int(token) - 1]["value"]
    for option in question.options:
        if token in (option["value"], option.get("zh"), option.get("en")):
            return option["value"]
    return token


def _keyed_value(question: Question, token):
    """A digit, a word or an option's number/value → the raw answer `answer_clean` accepts; for a
    multiple choice a list of tokens (each an option's number or value), for free text the text."""
    if question.type == QuestionType.TEXT:
        return token
    if question.type == QuestionType.MULTIPLE:
        return [_option_value(question, t) for t in token] if token else ["-"]
    if question.type == QuestionType.SINGLE:
        if token.isdigit() and 1 <= int(token) <= len(question.options):
            return question.options[int(token) - 1]["value"]
        for option in question.options:
            if token in (option["value"], option.get("zh"), option.get("en")):
                return option["value"]
        return token
    word = _word_score(question, token)
    return word if word is not None else token


def keyed_answers(questions: list[Question], tokens: list) -> KeyedAnswers:
    """One token per carried question, in order (a list of tokens for a multiple choice, the text for
    free text); missing trailing ones only if optional."""
    if not questions:
        return KeyedAnswers([], "no_questions")
    if not tokens or len(tokens) > len(questions):
        return KeyedAnswers([], "count")
    if any(q.is_required for q in questions[len(tokens) :]):
        return KeyedAnswers([], "count")
    cleaned = []
    for question, token in zip(questions, tokens, strict=False):
        if question.type == QuestionType.TEXT and not token.strip():
            if question.is_required:
                return KeyedAnswers([], "count")
            continue
        if question.type != QuestionType.MULTIPLE and not isinstance(token, str):
            return KeyedAnswers([], "value")
        try:
            raw, score = answer_clean(question, _keyed_value(question, token))
        except ValueError:
            return KeyedAnswers([], "value")
        cleaned.append((question, raw, score))
    return KeyedAnswers(cleaned)


def reply_tokens(text: str) -> list[str]:
    """ "５分。" → ["5"]: full-width forms folded, trailing punctuation and a 分 after a digit dropped."""
    text = unicodedata.normalize("NFKC", text or "").strip().rstrip(_TRAILING).strip()
    if not text:
        return []
    if text.upper() in REPLY_SCALE_WORDS:
        return [text]
    return [_digit(token) for token in _SEPARATORS.split(text) if token]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _digit(token: str) -> str:
    return re.sub(r"^(\d+)分$", r"\1", token)


def reply_answers(questions: list[Question], text: str) -> list:
    """An SMS reply split into one answer per carried question, in order: a token for a rating or a
    single choice, a list of tokens for a multiple choice ("1 3", "1,3"), the words for free text.
    With "；" or new lines between them each part answers one question; otherwise a rating or single
    choice takes one token, a multiple choice all tokens but those the ratings after it need, and
    free text the rest of the reply."""
    if not any(q.type in (QuestionType.MULTIPLE, QuestionType.TEXT) for q in questions):
        return reply_tokens(text)
    text = (text or "").strip()  # free text is kept as written: only the other answers are normalised
    if not text:
        return []
    if _STRONG.search(text):
        parts = [p.strip() for p in _STRONG.split(text)]
        while parts and not parts[-1]:
            parts.pop()
        answers = []
        for question, part in zip(questions, parts, strict=False):
            if question.type == QuestionType.TEXT:
                answers.append(part)
            elif question.type == QuestionType.MULTIPLE:
                answers.append([_digit(t) for t in _WEAK.findall(_folded(part).rstrip(_TRAILING))])
            else:
                tokens = reply_tokens(part)
                answers.append(tokens[0] if len(tokens) == 1 else tokens)
        return answers + parts[len(questions) :]
    if questions[-1].type != QuestionType.TEXT:
        text = text.rstrip(_TRAILING)
    # Each character folded on its own (full-width digits and commas), so positions stay the text's.
    folded = "".join(_folded(c) if len(_folded(c)) == 1 else c for c in text)
    matches = list(_WEAK.finditer(folded))
    answers, at = [], 0
    for number, question in enumerate(questions):
        if at >= len(matches):
            break
        if question.type == QuestionType.TEXT:
            answers.append(text[matches[at].start() :].strip())
            at = len(matches)
        elif question.type == QuestionType.MULTIPLE:
            later = sum(1 for q in questions[number + 1 :] if q.type in KEYED_TYPES)
            take = max(1, len(matches) - at - later)
            answers.append([_digit(m.group()) for m in matches[at : at + take]])
            at += take
        else:
            answers.append(_digit(matches[at].group()))
            at += 1
    return answers + [m.group() for m in matches[at:]]


def _hint(question: Question, language: str) -> str:
    if question.type in SCALES:
        lo, hi = SCALES[question.type]
        return _("reply %(lo)d–%(hi)d, %(hi)d is best") % {"lo": lo, "hi": hi}
    if question.type == QuestionType.TEXT:
        return _("reply in your own words") if question.is_required else _("reply in your own words, optional")
    if question.type == QuestionType.MULTIPLE:
        return _("reply one or more of %(choices)s, e.g. \"1 3\"") % {
            "choices": "，".join(
                f"{n}={question.option_label(o['value'], language)}" for n, o in enumerate(question.options, start=1)
            )
        }
    return _("reply %(choices)s") % {
        "choices": "，".join(
            f"{n}={question.option_label(o['value'], language)}" for n, o in enumerate(question.options, start=1)
        )
    }


def sms_text(survey: Survey) -> str:
    """The SMS carrying the survey's questions, in its language, with how to reply and opt out."""
    language = survey.language
    questions = carried_questions(survey.version, SurveyMode.SMS)
    with translation.override(language):
        lines = [
            _("[%(title)s] %(name)s, thank you for your time.")
            % {"title": survey.version.title(language), "name": survey.customer.name}
        ]
        for number, question in enumerate(questions, start=1):
            prefix = f"{number}. " if len(questions) > 1 else ""
            lines.append(f"{prefix}{question.text(language)} ({_hint(question, language)})")
        if len(questions) > 1 and _needs_strong_separator(questions):
            lines.append(_('Reply with the answers in order, separated by ";", e.g. "5; 1 3; fine".'))
        elif len(questions) > 1:
            lines.append(_('Reply with the answers in order, separated by spaces, e.g. "5 4".'))
        lines.append(_("Reply TD to opt out."))
        return "\n".join(lines)


def _needs_strong_separator(questions: list[Question]) -> bool:
    """Whether answers must be separated by "；": a multiple choice or free text not asked last."""
    return any(q.type in (QuestionType.MULTIPLE, QuestionType.TEXT) for q in questions[:-1])


def _invalid_reply(survey: Survey) -> str:
    questions = carried_questions(survey.version, SurveyMode.SMS)
    with translation.override(survey.language):
        hints = "; ".join(_hint(q, survey.language) for q in questions)
        if len(questions) > 1 and _needs_strong_separator(questions):
            return _(
                "Sorry, we could not read your reply. Please answer all %(count)d questions in order "
                "(%(hints)s), separated by \";\". Reply TD to opt out."
            ) % {"count": len(questions), "hints": hints}
        if len(questions) > 1:
            return _(
                "Sorry, we could not read your reply. Please answer all %(count)d questions in order "
                "(%(hints)s), separated by spaces. Reply TD to opt out."
            ) % {"count": len(questions), "hints": hints}
        return _("Sorry, we could not read your reply. Please %(hints)s. Reply TD to opt out.") % {"hints": hints}


def _thanks(survey: Survey) -> str:
    with translation.override(survey.language):
        return _("Thank you! Your answer has been recorded.")


def _email(survey: Survey, customer: Customer, token: str) -> None:
    with translation.override(survey.language):
        context = {
            "name": customer.name,
            "title": survey.version.title(survey.language),
            "intro": survey.version.intro(survey.language),
            "link": survey_link(token),
            "expires_at": timezone.localtime(survey.expires_at),
        }
        body = render_to_string("surveys/email/invitation.txt", context)
        subject = _("%(title)s: please tell us how we did") % {"title": context["title"]}
    message_send(channel="email", recipient=customer.email, subject=subject, body=body)


@transaction.atomic
def survey_send(
    *,
    actor,
    customer: Customer,
    mode: str,
    version: QuestionnaireVersion | None = None,
    ticket=None,
    language: str = "",
    now: dt.datetime | None = None,
) -> Survey:
    """Send a survey by hand: by SMS (the questions in the text), by e-mail (the link) or for the IVR
    (the call-center plays it and reports key presses). Refused for customers who opted out, who have
    no mobile / e-mail for the mode, or when the version carries nothing the mode can answer."""
    permissions.require(
        actor, "response", "write", allowed=permissions.scope(actor, "response", "write") is permissions.ALL
    )
    if mode not in SENDABLE_MODES:
        raise ValidationFailed(fields={"mode": gettext_noop("one of: SMS, e-mail, IVR")})
    version = version or current_version()
    if version is None:
        raise Conflict(gettext_noop("No questionnaire is published."), code="no_questionnaire")
    if SurveyOptOut.objects.filter(customer=customer).exists():
        raise Conflict(gettext_noop("This customer asked not to be surveyed."), code="opted_out")
    if mode == SurveyMode.SMS and not customer.mobile:
        raise ValidationFailed(fields={"customer": gettext_noop("has no mobile number")})
    if mode == SurveyMode.EMAIL and "@" not in (customer.email or ""):
        raise ValidationFailed(fields={"customer": gettext_noop("has no e-mail address")})
    if mode in (SurveyMode.SMS, SurveyMode.IVR) and not carried_questions(version, mode):
        raise ValidationFailed(fields={"version": gettext_noop("has no question this mode can carry")})
    if ticket is not None and Survey.objects.filter(ticket=ticket).exists():  # the unique index settles races
        raise Conflict(gettext_noop("This case has a survey already."), code="case_surveyed")
    now = now or timezone.now()
    survey, token = survey_create(
        version=version,
        customer=customer,
        mode=mode,
        trigger=SurveyTrigger.MANUAL,
        ticket=ticket,
        now=now,
        with_link=mode == SurveyMode.EMAIL,
    )
    if language and language != survey.language:
        survey.language = language
        Survey.objects.filter(pk=survey.pk).update(language=language)
    if mode == SurveyMode.SMS:
        message_send(channel="sms", recipient=customer.mobile, body=sms_text(survey))
    elif mode == SurveyMode.EMAIL:
        _email(survey, customer, token)
    return survey


# ---------------------------------------------------------------- SMS replies


def _outstanding(phone: str, now: dt.datetime, *, lock: bool):
    """The phone's latest unanswered, unexpired SMS survey (its customers' mobile is the phone)."""
    normalized = normalize.phone_normalize(phone)
    if not normalized:
        return None
    rows = Survey.objects.filter(
        customer__mobile=normalized, mode=SurveyMode.SMS, status=SurveyStatus.SENT, expires_at__gt=now
    ).order_by("-sent_at", "-id")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.select_related("version", "customer", "ticket").first()


def _opt_out_reply(phone: str, language: str) -> InboundResult:
    customer = Customer.objects.alive().filter(mobile=normalize.phone_normalize(phone) or "-").first()
    if customer is None:
        return None
    survey_opt_out(actor=SYSTEM, customer=customer, reason="SMS TD")
    opt_out_from_reply(phone=phone, text="TD")
    with translation.override(language):
        return InboundResult("opted_out", _("You will no longer receive surveys or marketing messages."))


def survey_reply_receive(*, phone: str, text: str, now: dt.datetime) -> InboundResult | None:
    """An SMS reply (the inbound-SMS handler of surveys, inside the hook's transaction): an opt-out word
    opts the customer out of surveys and SMS marketing; otherwise it answers the phone's outstanding
    survey, once — the survey row is locked, and a reply that answers nothing gets a reply saying how
    to answer and records nothing. None (not ours) when the phone has no survey to answer."""
    word = unicodedata.normalize("NFKC", text or "").strip().rstrip(_TRAILING).upper()
    if word in REPLY_WORDS:
        survey = _outstanding(phone, now, lock=False)
        return _opt_out_reply(phone, survey.language if survey else settings.LANGUAGE_CODE)
    survey = _outstanding(phone, now, lock=True)
    if survey is None:
        return None
    if survey.status != SurveyStatus.SENT:  # answered while we waited for the lock
        return InboundResult("duplicate")
    questions = carried_questions(survey.version, SurveyMode.SMS)
    keyed = keyed_answers(questions, reply_answers(questions, text))
    if keyed.problem:
        return InboundResult("invalid", _invalid_reply(survey))
    response_record(survey, keyed.cleaned, mode=SurveyMode.SMS, recorded_by=None, at=now)
    return InboundResult("recorded", _thanks(survey))


# ---------------------------------------------------------------- IVR key presses


@transaction.atomic
def survey_answer_by_keys(*, survey_id: int, keys: list[str], now: dt.datetime | None = None) -> SurveyResponse:
    """Key presses for one IVR survey, from a signed CTI event (the call-center system acts): one key
    sequence per carried question ("9#" for a 9, "10#" for a 10, "13#" or "1*3#" for options 1 and 3 of
    a multiple choice; free text cannot be keyed and is left out). NotFound for an unknown survey,
    Conflict for one answered, expired or not meant for the IVR; ValidationFailed for bad keys."""
    now = now or timezone.now()
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("version", "customer", "ticket")
        .filter(pk=survey_id)
        .first()
    )
    if survey is None:
        raise NotFound(gettext_noop("No such survey."), code="unknown_survey")
    if survey.mode != SurveyMode.IVR:
        raise Conflict(gettext_noop("This survey is not answered by IVR."), code="not_ivr")
    if survey.status == SurveyStatus.ANSWERED:
        raise Conflict(gettext_noop("This survey has already been answered."), code="answered")
    if survey.status == SurveyStatus.EXPIRED or survey.expires_at <= now:
        raise Conflict(gettext_noop("This survey has expired."), code="expired")
    questions = carried_questions(survey.version, SurveyMode.IVR)
    tokens = [str(k).strip().rstrip("#") for k in keys]
    tokens = [
        [key for key in token if key not in "*"] if question.type == QuestionType.MULTIPLE else token
        for question, token in zip(questions, tokens, strict=False)
    ] + tokens[len(questions) :]
    keyed = keyed_answers(questions, tokens)
    if keyed.problem:
        raise ValidationFailed(
            gettext_noop("The key presses do not answer this survey."),
            fields={"keys": gettext_noop("one valid key per question, in order")},
        )
    return response_record(survey, keyed.cleaned, mode=SurveyMode.IVR, recorded_by=user_of(SYSTEM), at=now)
