"""Reads of surveys, scoped by `permissions.py`: questionnaires, surveys and responses, improvement
actions and the before/after comparison of an action's dimension."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound

from . import permissions
from .enums import SurveyStatus
from .models import Answer, ImprovementAction, Question, Questionnaire, QuestionnaireVersion, Survey, SurveyOptOut

COMPARISON_DAYS = 90
MIN_SAMPLE = 30  # fewer answers than this: the mean is not shown (too small a sample)


def questionnaire_list(*, user) -> QuerySet[Questionnaire]:
    permissions.require(user, "questionnaire", "read")
    return Questionnaire.objects.annotate(version_count=Count("versions")).order_by("code", "id")


def questionnaire_get(*, user, questionnaire_id: int) -> Questionnaire:
    permissions.require(user, "questionnaire", "read")
    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first()
    if questionnaire is None:
        raise NotFound()
    return questionnaire


def version_get(*, user, version_id: int) -> QuestionnaireVersion:
    permissions.require(user, "questionnaire", "read")
    version = (QuestionnaireVersion.objects.select_related("questionnaire")
               .prefetch_related(Prefetch("questions", Question.objects.order_by("order"))).filter(pk=version_id)
               .first())
    if version is None:
        raise NotFound()
    return version


def survey_list(*, user, status: str = "", mode: str = "", ticket_id: int | None = None) -> QuerySet[Survey]:
    """Surveys the user may read, newest first, with what the list shows."""
    permissions.require(user, "response", "read")
    rows = Survey.objects.filter(permissions.survey_read_condition(user)) \
        .select_related("customer", "ticket", "version__questionnaire").order_by("-sent_at", "-id")
    if status:
        rows = rows.filter(status=status)
    if mode:
        rows = rows.filter(mode=mode)
    if ticket_id is not None:
        rows = rows.filter(ticket_id=ticket_id)
    return rows


def response_list(*, user, mode: str = "") -> QuerySet[Survey]:
    """Answered surveys the user may read, most recently answered first."""
    rows = survey_list(user=user, status=SurveyStatus.ANSWERED, mode=mode)
    return rows.order_by("-answered_at", "-id")


def survey_get_for_user(*, user, survey_id: int) -> Survey:
    """One survey with its response and answers; not found when out of the user's reach."""
    permissions.require(user, "response", "read")
    survey = (survey_list(user=user).select_related("response__recorded_by")
              .prefetch_related(Prefetch("response__answers", Answer.objects.select_related("question")
                                         .order_by("question__order")))
              .filter(pk=survey_id).first())
    if survey is None:
        raise NotFound()
    return survey


def surveys_open_for_customer(*, customer) -> QuerySet[Survey]:
    """The customer's unanswered web surveys whose link still holds (the portal lists them)."""
    return (Survey.objects.filter(customer=customer, status=SurveyStatus.SENT, expires_at__gt=timezone.now())
            .exclude(token_hash="").select_related("version", "ticket").order_by("-sent_at", "-id"))  # nosec B106  # an empty value, not a password


def customer_opted_out(*, customer_id: int) -> bool:
    return SurveyOptOut.objects.filter(customer_id=customer_id).exists()


def survey_has_response(survey: Survey) -> bool:
    return survey.status == SurveyStatus.ANSWERED and hasattr(survey, "response")


def action_list(*, user, status: str = "", dimension: str = "") -> QuerySet[ImprovementAction]:
    permissions.require(user, "action", "read")
    rows = ImprovementAction.objects.select_related("owner").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    if dimension:
        rows = rows.filter(dimension=dimension)
    return rows


def action_get_for_user(*, user, action_id: int) -> ImprovementAction:
    action = action_list(user=user).filter(pk=action_id).first()
    if action is None:
        raise NotFound()
    return action


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    mean: float | None  # None when the sample is too small to show
    count: int


@dataclass(frozen=True)
class Comparison:
    before: Period
    after: Period

    @property
    def change(self) -> float | None:
        if self.before.mean is None or self.after.mean is None:
            return None
        return round(self.after.mean - self.before.mean, 1)


def _period(dimension: str, start: dt.datetime, end: dt.datetime) -> Period:
    row = Answer.objects.filter(dimension=dimension, answered_at__gte=start, answered_at__lt=end,
                                score_pct__isnull=False).aggregate(mean=Avg("score_pct"), n=Count("id"))
    mean = round(row["mean"], 1) if row["n"] >= MIN_SAMPLE and row["mean"] is not None else None
    return Period(start, end, mean, row["n"])


def action_comparison(action: ImprovementAction, *, now: dt.datetime | None = None) -> Comparison:
    """The targeted dimension's mean score (0–100) in the COMPARISON_DAYS before the action started
    against the days after it (up to now); a mean from fewer than MIN_SAMPLE answers is withheld."""
    now = now or timezone.now()
    start, window = action.created_at, dt.timedelta(days=COMPARISON_DAYS)
    return Comparison(before=_period(action.dimension, start - window, start),
                      after=_period(action.dimension, start, max(start, min(now, start + window))))



# ---------------------------------------------------------------- waves


def wave_list(*, user) -> QuerySet:
    from .models import SurveyWave

    permissions.require(user, "wave", "read")
    return SurveyWave.objects.select_related("version", "version__questionnaire").order_by("-id")


def wave_get(*, user, wave_id: int):
    wave = wave_list(user=user).filter(pk=wave_id).first()
    if wave is None:
        raise NotFound()
    return wave


def wave_rates(wave) -> list[dict]:
    """Per stratum of the wave: sampled, sent (surveys created), answered and the response rate (answered
    / sent, None before any is sent), in the order of the wave's strata table; a last row for the wave."""
    rows = {r["stratum"]: r for r in wave.members.values("stratum").annotate(
        sampled=Count("id"), sent=Count("survey"),
        answered=Count("survey", filter=Q(survey__status=SurveyStatus.ANSWERED)))}
    order = [s["stratum"] for s in wave.strata if s.get("allocated")] or sorted(rows)
    out = []
    for stratum in order + sorted(set(rows) - set(order)):
        r = rows.get(stratum, {"sampled": 0, "sent": 0, "answered": 0})
        out.append({"stratum": stratum, "sampled": r["sampled"], "sent": r["sent"], "answered": r["answered"],
                    "rate": round(r["answered"] / r["sent"], 4) if r["sent"] else None})
    sent, answered = sum(r["sent"] for r in out), sum(r["answered"] for r in out)
    out.append({"stratum": "", "sampled": sum(r["sampled"] for r in out), "sent": sent, "answered": answered,
                "rate": round(answered / sent, 4) if sent else None})
    return out


def wave_version(*, user, version_id) -> QuestionnaireVersion | None:
    """The questionnaire version a new wave names, None when there is none (the service checks it)."""
    permissions.require(user, "wave", "write")
    try:
        return QuestionnaireVersion.objects.filter(pk=int(version_id)).first()
    except (TypeError, ValueError):
        return None


def published_versions(*, user) -> QuerySet[QuestionnaireVersion]:
    from .enums import VersionStatus

    permissions.require(user, "questionnaire", "read")
    return (QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("questionnaire")
            .order_by("questionnaire__code", "-number"))


def satisfaction_by_customer(*, customer_ids, since: dt.datetime, until: dt.datetime) -> dict[int, dict]:
    """For other modules' pages about these customers (the key-account dashboard, which scopes its own
    readers): the mean of their answered dimension ratings (0–100) and the answers counted, per customer,
    answered in [since, until); one grouped query. Customers without an answer are left out."""
    rows = (
        Answer.objects.filter(
            response__survey__customer_id__in=customer_ids,
            score_pct__isnull=False,
            answered_at__gte=since,
            answered_at__lt=until,
        )
        .exclude(dimension="")
        .values("response__survey__customer_id")
        .annotate(mean=Avg("score_pct"), n=Count("id"))
    )
    return {r["response__survey__customer_id"]: {"mean": round(r["mean"], 1), "n": r["n"]} for r in rows}


def may_send(*, user) -> bool:
    """Whether `user` sends surveys by hand (the send service's own check, for showing the form)."""
    return permissions.scope(user, "response", "write") is permissions.ALL


def send_target(*, user, case_number: str, mobile: str):
    """(customer, case) a survey sent by hand goes to: the case's customer when a case number is given,
    else the customer with that mobile number. NotFound when there is none."""
    from guanxi.customers import normalize
    from guanxi.customers.models import Customer
    from guanxi.servicedesk.models import Ticket

    permissions.require(user, "response", "write", allowed=may_send(user=user))
    case_number, mobile = (case_number or "").strip()[:20], (mobile or "").strip()[:30]
    if case_number:
        ticket = Ticket.objects.select_related("customer").filter(number=case_number).first()
        if ticket is None or ticket.customer is None or ticket.customer.deleted_at is not None:
            raise NotFound(_("No case with this number."), code="unknown_case")
        return ticket.customer, ticket
    customer = Customer.objects.alive().filter(mobile=normalize.phone_normalize(mobile) or "-").order_by("pk").first()
    if customer is None:
        raise NotFound(_("No customer with this mobile number."), code="unknown_customer")
    return customer, None
