"""`/api/v1/surveys` (questionnaires, versions, design checks, publishing), `/api/v1/survey-responses`
(cursor-paged, scoped to the caller's cases, phones masked) and `/api/v1/improvement-actions` (CRUD
with the before/after comparison of the targeted dimension)."""

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.models import User
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router

from . import permissions, selectors
from .enums import ActionStatus, Dimension, SurveyMode, SurveyStatus
from .models import QuestionnaireVersion
from .schemas import (
    ActionDetailOut,
    ActionFilterIn,
    ActionIn,
    ActionPageOut,
    ActionUpdateIn,
    ChecksOut,
    PublishIn,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnairePageOut,
    SurveyDetailOut,
    SurveyFilterIn,
    SurveyPageOut,
    VersionIn,
    VersionOut,
    WaveDetailOut,
    WaveIn,
    WavePageOut,
)
from .services import actions as action_services
from .services import questionnaires as questionnaire_services
from .services import waves as wave_services

router = Router(tags=["surveys"], operation_prefix="guanxi_surveys_api")


def _ref(user):
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _one_of(field: str, value: str, values) -> None:
    if value and value not in values:
        raise ValidationFailed(fields={field: _("one of: %(values)s") % {"values": ", ".join(values)}})


def _checks(version) -> dict:
    report = questionnaire_services.version_check(version)
    return {"seconds": report.seconds, "errors": report.errors, "warnings": report.warnings,
            "is_publishable": report.is_publishable}


def _version(version) -> dict:
    return {"id": version.pk, "questionnaire": version.questionnaire_id, "number": version.number,
            "status": version.status, "modes": version.modes, "title_zh": version.title_zh,
            "title_en": version.title_en, "intro_zh": version.intro_zh, "intro_en": version.intro_en,
            "published_at": version.published_at, "questions": list(version.questions.order_by("order")),
            "checks": _checks(version)}


def _questionnaire(q) -> dict:
    return {"id": q.pk, "code": q.code, "name": q.name, "purpose": q.purpose, "is_active": q.is_active,
            "versions": list(q.versions.all())}


@router.get("/surveys", response=QuestionnairePageOut)
def list_questionnaires(request: HttpRequest, page: Query[CursorPageParams]):
    """Questionnaires with their versions (newest first)."""
    rows = selectors.questionnaire_list(user=request.user).prefetch_related(
        Prefetch("versions", QuestionnaireVersion.objects.order_by("-number")))
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [_questionnaire(q) for q in result.rows], "next_cursor": result.next_cursor}


@router.post("/surveys", response={201: QuestionnaireOut})
def create_questionnaire(request: HttpRequest, payload: QuestionnaireIn):
    """A new questionnaire (service managers, analysts, administrators)."""
    q = questionnaire_services.questionnaire_create(actor=request.user, **payload.dict())
    return Status(201, _questionnaire(q))


@router.get("/surveys/{questionnaire_id}", response=QuestionnaireOut)
def get_questionnaire(request: HttpRequest, questionnaire_id: int):
    return _questionnaire(selectors.questionnaire_get(user=request.user, questionnaire_id=questionnaire_id))


@router.post("/surveys/{questionnaire_id}/versions", response={201: VersionOut})
def create_version(request: HttpRequest, questionnaire_id: int, payload: VersionIn):
    """A new draft version with its questions; the answer carries its design checks."""
    questionnaire = selectors.questionnaire_get(user=request.user, questionnaire_id=questionnaire_id)
    version = questionnaire_services.version_create(actor=request.user, questionnaire=questionnaire,
                                                    data=payload.dict())
    return Status(201, _version(version))


@router.get("/surveys/versions/{version_id}", response=VersionOut)
def get_version(request: HttpRequest, version_id: int):
    """A version, its questions and its design checks (duration per mode, errors, warnings)."""
    return _version(selectors.version_get(user=request.user, version_id=version_id))


@router.put("/surveys/versions/{version_id}", response=VersionOut)
def update_version(request: HttpRequest, version_id: int, payload: VersionIn):
    """Replace a draft (409 once published: versions are frozen)."""
    version = selectors.version_get(user=request.user, version_id=version_id)
    return _version(questionnaire_services.version_update(actor=request.user, version=version, data=payload.dict()))


@router.get("/surveys/versions/{version_id}/checks", response=ChecksOut)
def check_version(request: HttpRequest, version_id: int):
    return _checks(selectors.version_get(user=request.user, version_id=version_id))


@router.post("/surveys/versions/{version_id}/publish", response=VersionOut)
def publish_version(request: HttpRequest, version_id: int, payload: PublishIn):
    """Publish a draft: 400 with the reasons when a design check fails (warnings pass only with
    `accept_warnings`); the previously published version is retired."""
    version = selectors.version_get(user=request.user, version_id=version_id)
    return _version(questionnaire_services.version_publish(actor=request.user, version=version,
                                                           accept_warnings=payload.accept_warnings))


# ---------------------------------------------------------------- responses


def _survey(survey, phone) -> dict:
    return {"id": survey.pk, "questionnaire": survey.version.questionnaire.name, "version": survey.version.number,
            "customer": {"id": survey.customer_id, "name": survey.customer.name},
            "mobile": phone(survey.customer.mobile), "case": survey.ticket.number if survey.ticket_id else None,
            "mode": survey.mode, "trigger": survey.trigger, "status": survey.status, "sent_at": survey.sent_at,
            "expires_at": survey.expires_at, "answered_at": survey.answered_at}


def _phone(user):
    return (lambda v: v) if permissions.sees_personal_data(user) else mask_phone


@router.get("/survey-responses", response=SurveyPageOut)
def list_survey_responses(request: HttpRequest, filters: Query[SurveyFilterIn], page: Query[CursorPageParams]):
    """Surveys of the cases in your reach, answered ones by default (most recent first); pass
    `next_cursor` back as `cursor` until it is null."""
    _one_of("status", filters.status, SurveyStatus.values)
    _one_of("mode", filters.mode, SurveyMode.values)
    if filters.status == SurveyStatus.ANSWERED:
        rows = selectors.response_list(user=request.user, mode=filters.mode)
    else:
        rows = selectors.survey_list(user=request.user, status=filters.status, mode=filters.mode)
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    phone = _phone(request.user)
    return {"items": [_survey(s, phone) for s in result.rows], "next_cursor": result.next_cursor}


@router.get("/survey-responses/{survey_id}", response=SurveyDetailOut)
def get_survey_response(request: HttpRequest, survey_id: int):
    """One survey with its answers (raw value, score, score 0–100)."""
    survey = selectors.survey_get_for_user(user=request.user, survey_id=survey_id)
    answered = selectors.survey_has_response(survey)
    answers = survey.response.answers.all() if answered else []
    return {**_survey(survey, _phone(request.user)),
            "recorded_by": _ref(survey.response.recorded_by) if answered else None,
            "answers": [{"question": a.question.order, "dimension": a.dimension, "raw": a.raw, "score": a.score,
                         "score_pct": a.score_pct} for a in answers]}


# ---------------------------------------------------------------- improvement actions


def _action(action) -> dict:
    return {"id": action.pk, "title": action.title, "dimension": action.dimension, "owner": _ref(action.owner),
            "due_date": action.due_date, "status": action.status, "notes": action.notes, "closure": action.closure,
            "closed_at": action.closed_at, "created_at": action.created_at}


def _action_detail(action) -> dict:
    comparison = selectors.action_comparison(action)
    return {**_action(action), "before": comparison.before, "after": comparison.after, "change": comparison.change}


def _owner(owner_id: int) -> User:
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed(fields={"owner": _("does not exist")})
    return owner


@router.get("/improvement-actions", response=ActionPageOut)
def list_improvement_actions(request: HttpRequest, filters: Query[ActionFilterIn], page: Query[CursorPageParams]):
    _one_of("status", filters.status, ActionStatus.values)
    _one_of("dimension", filters.dimension, Dimension.values)
    rows = selectors.action_list(user=request.user, status=filters.status, dimension=filters.dimension)
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [_action(a) for a in result.rows], "next_cursor": result.next_cursor}


@router.post("/improvement-actions", response={201: ActionDetailOut})
def create_improvement_action(request: HttpRequest, payload: ActionIn):
    """An improvement action on one dimension (owner: you unless given)."""
    data = payload.dict()
    owner_id = data.pop("owner")
    if owner_id is not None:
        data["owner"] = _owner(owner_id)
    return Status(201, _action_detail(action_services.action_create(actor=request.user, data=data)))


@router.get("/improvement-actions/{action_id}", response=ActionDetailOut)
def get_improvement_action(request: HttpRequest, action_id: int):
    """An action with its dimension's mean score before and after it started."""
    return _action_detail(selectors.action_get_for_user(user=request.user, action_id=action_id))


@router.patch("/improvement-actions/{action_id}", response=ActionDetailOut)
def update_improvement_action(request: HttpRequest, action_id: int, payload: ActionUpdateIn):
    """Change the fields given; done or cancelled needs a closure."""
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "owner" in data:
        data["owner"] = _owner(data["owner"])
    return _action_detail(action_services.action_update(actor=request.user, action=action, data=data))


@router.delete("/improvement-actions/{action_id}", response={204: None})
def delete_improvement_action(request: HttpRequest, action_id: int):
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    action_services.action_delete(actor=request.user, action=action)
    return Status(204, None)


# ---------------------------------------------------------------- /api/v1/survey-waves


def _wave(wave) -> dict:
    return {"id": wave.pk, "name": wave.name, "version": wave.version_id, "mode": wave.mode, "status": wave.status,
            "sample_size": wave.sample_size, "seed": wave.seed, "dimensions": wave.dimensions,
            "method": wave.method, "quotas": wave.quotas, "quiet_days": wave.quiet_days,
            "exclude_opted_out": wave.exclude_opted_out, "reminder_count": wave.reminder_count,
            "reminder_interval_days": wave.reminder_interval_days, "sampled_at": wave.sampled_at,
            "launched_at": wave.launched_at, "closed_at": wave.closed_at}


def _wave_detail(wave) -> dict:
    return {**_wave(wave), "strata": wave.strata, "rates": selectors.wave_rates(wave)}


@router.get("/survey-waves", response=WavePageOut)
def list_waves(request: HttpRequest, page: Query[CursorPageParams]):
    """Survey waves (调查批次), newest first, cursor-paged to the end."""
    result = keyset_page(selectors.wave_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": [_wave(w) for w in result.rows], "next_cursor": result.next_cursor}


@router.post("/survey-waves", response={201: WaveDetailOut})
def create_wave(request: HttpRequest, payload: WaveIn):
    """A draft wave with its sampling plan on a published questionnaire version (422 when the version is
    unknown or unpublished)."""
    data = payload.dict()
    version = selectors.wave_version(user=request.user, version_id=data.pop("version"))
    if version is None:
        raise ValidationFailed(_("The wave cannot be created."), fields={"version": _("unknown questionnaire version")})
    data["quotas"] = {h: q for h, q in data["quotas"].items()}
    wave = wave_services.wave_create(actor=request.user, version=version, **data)
    return Status(201, _wave_detail(wave))


@router.get("/survey-waves/{wave_id}", response=WaveDetailOut)
def get_wave(request: HttpRequest, wave_id: int):
    """A wave with its strata table (population, eligible, allocated) and response rates per stratum."""
    return _wave_detail(selectors.wave_get(user=request.user, wave_id=wave_id))


@router.post("/survey-waves/{wave_id}/sample", response=WaveDetailOut)
def sample_wave(request: HttpRequest, wave_id: int):
    """Draw the sample (again, until launched): reproducible from the wave's seed."""
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    return _wave_detail(wave_services.wave_draw(actor=request.user, wave=wave))


@router.post("/survey-waves/{wave_id}/launch", response=WaveDetailOut)
def launch_wave(request: HttpRequest, wave_id: int):
    """Send one survey per sampled customer, in one transaction (409 when launched already)."""
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    return _wave_detail(wave_services.wave_launch(actor=request.user, wave=wave))


@router.post("/survey-waves/{wave_id}/close", response=WaveDetailOut)
def close_wave(request: HttpRequest, wave_id: int):
    """Close a running wave: no more reminders."""
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    return _wave_detail(wave_services.wave_close(actor=request.user, wave=wave))
