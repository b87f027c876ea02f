"""Writes of questionnaires and their versions: drafts are edited, a checked version is published and
frozen; publishing retires the version published before it (surveys keep theirs)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict, DomainError, ValidationFailed

from .. import permissions
from ..design import DesignReport, QuestionSpec, check_design
from ..enums import CHOICE_TYPES, Dimension, Purpose, QuestionType, SurveyMode, VersionStatus
from ..models import Question, Questionnaire, QuestionnaireVersion

MAX_QUESTIONS = 60
MAX_OPTIONS = 20


def _save(record, actor) -> None:
    record._history_user = user_of(actor)
    record.save()


@transaction.atomic
def questionnaire_create(*, actor, code: str, name: str, purpose: str = Purpose.POST_CASE) -> Questionnaire:
    """A new questionnaire, without versions yet."""
    permissions.require(actor, "questionnaire", "write")
    code, name, errors = (code or "").strip(), (name or "").strip(), {}
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        errors["code"] = _("letters, digits, - and _, at most 40")
    elif Questionnaire.objects.filter(code=code).exists():
        errors["code"] = _("already in use")
    if not name or len(name) > 100:
        errors["name"] = _("required, at most 100 characters")
    if purpose not in Purpose.values:
        errors["purpose"] = _("one of: %(values)s") % {"values": ", ".join(Purpose.values)}
    if errors:
        raise ValidationFailed(fields=errors)
    questionnaire = Questionnaire(code=code, name=name, purpose=purpose)
    _save(questionnaire, actor)
    return questionnaire


def _clean_options(options, errors: dict, key: str) -> list[dict]:
    cleaned, seen = [], set()
    for option in options or []:
        value = str(option.get("value", "")).strip() if isinstance(option, dict) else ""
        zh = str(option.get("zh", "")).strip() if isinstance(option, dict) else ""
        if not value or not zh or len(value) > 30 or len(zh) > 100 or value in seen:
            errors[key] = _("each option needs a unique value (≤ 30) and Chinese wording (≤ 100)")
            return []
        seen.add(value)
        cleaned.append({"value": value, "zh": zh, "en": str(option.get("en", "")).strip()[:100]})
    if len(cleaned) > MAX_OPTIONS:
        errors[key] = _("at most %(count)d options") % {"count": MAX_OPTIONS}
    return cleaned


def _clean_question(number: int, data: dict, errors: dict) -> Question:
    key = f"questions[{number}]"
    kind, dimension = data.get("type", ""), data.get("dimension", "") or ""
    text_zh, text_en = (data.get("text_zh") or "").strip(), (data.get("text_en") or "").strip()
    if kind not in QuestionType.values:
        errors[key] = _("type: one of %(values)s") % {"values": ", ".join(QuestionType.values)}
    elif dimension and dimension not in Dimension.values:
        errors[key] = _("dimension: one of %(values)s") % {"values": ", ".join(Dimension.values)}
    elif not text_zh or len(text_zh) > 500 or len(text_en) > 500:
        errors[key] = _("Chinese wording required; each wording at most 500 characters")
    options = _clean_options(data.get("options"), errors, key) if kind in CHOICE_TYPES else []
    return Question(order=number, type=kind, dimension=dimension if kind not in CHOICE_TYPES | {"text"} else "",
                    text_zh=text_zh, text_en=text_en, options=options,
                    is_required=bool(data.get("is_required", True)))


def _clean_version(data: dict) -> tuple[dict, list[Question]]:
    errors: dict = {}
    title_zh, title_en = (data.get("title_zh") or "").strip(), (data.get("title_en") or "").strip()
    if not title_zh or len(title_zh) > 200 or len(title_en) > 200:
        errors["title_zh"] = _("required, at most 200 characters")
    modes = list(dict.fromkeys(data.get("modes") or []))
    if not modes or any(mode not in SurveyMode.values for mode in modes):
        errors["modes"] = _("one or more of: %(values)s") % {"values": ", ".join(SurveyMode.values)}
    raw = data.get("questions") or []
    if len(raw) > MAX_QUESTIONS:
        errors["questions"] = _("at most %(count)d questions") % {"count": MAX_QUESTIONS}
        raw = []
    questions = [_clean_question(n, q if isinstance(q, dict) else {}, errors) for n, q in enumerate(raw, 1)]
    if errors:
        raise ValidationFailed(fields=errors)
    fields = {"title_zh": title_zh, "title_en": title_en, "modes": modes,
              "intro_zh": (data.get("intro_zh") or "").strip()[:2000],
              "intro_en": (data.get("intro_en") or "").strip()[:2000]}
    return fields, questions


def _write_questions(version: QuestionnaireVersion, questions: list[Question]) -> None:
    version.questions.all().delete()
    for question in questions:
        question.version = version
    Question.objects.bulk_create(questions)


@transaction.atomic
def version_create(*, actor, questionnaire: Questionnaire, data: dict) -> QuestionnaireVersion:
    """A new draft version (number: the next one) with its questions. Locks the questionnaire."""
    permissions.require(actor, "questionnaire", "write")
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    fields, questions = _clean_version(data)
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionnaireVersion(questionnaire=questionnaire, number=number, **fields)
    _save(version, actor)
    _write_questions(version, questions)
    return version


@transaction.atomic
def version_update(*, actor, version: QuestionnaireVersion, data: dict) -> QuestionnaireVersion:
    """Replace a draft's wording, modes and questions; a published version is frozen (409)."""
    permissions.require(actor, "questionnaire", "write")
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise Conflict(_("A published version is frozen: make a new version to change it."), code="frozen")
    fields, questions = _clean_version(data)
    for name, value in fields.items():
        setattr(version, name, value)
    _save(version, actor)
    _write_questions(version, questions)
    return version


def version_check(version: QuestionnaireVersion) -> DesignReport:
    """The design checks of a version (read only)."""
    specs = [QuestionSpec(type=q.type, text_zh=q.text_zh, text_en=q.text_en, dimension=q.dimension,
                          option_count=len(q.options)) for q in version.questions.all()]
    return check_design(specs, list(version.modes))


@transaction.atomic
def version_publish(*, actor, version: QuestionnaireVersion, accept_warnings: bool = False) -> QuestionnaireVersion:
    """Publish a draft that passes the design checks (400 with the reasons otherwise; warnings
    need `accept_warnings`); the version published before is retired. Locks the questionnaire."""
    permissions.require(actor, "questionnaire", "configure")
    Questionnaire.objects.select_for_update().get(pk=version.questionnaire_id)
    version = QuestionnaireVersion.objects.get(pk=version.pk)
    if version.is_frozen:
        raise Conflict(_("This version is already published."), code="already_published")
    report = version_check(version)
    problems = report.errors + ([] if accept_warnings else report.warnings)
    if problems:
        raise DomainError(_("The questionnaire cannot be published: %(reasons)s") % {
            "reasons": " ".join(problems)}, code="design_check_failed", fields={"checks": " ".join(problems)})
    for previous in QuestionnaireVersion.objects.filter(questionnaire_id=version.questionnaire_id,
                                                        status=VersionStatus.PUBLISHED):
        previous.status = VersionStatus.RETIRED
        _save(previous, actor)
    version.status, version.published_at, version.published_by = VersionStatus.PUBLISHED, timezone.now(), user_of(actor)
    _save(version, actor)
    return version
