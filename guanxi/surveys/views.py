"""Pages of the satisfaction surveys: responses (list, one with the phone-answer form), questionnaire
design (versions with their check results, publishing), improvement actions (list, detail with the
before/after comparison) and the customer's web survey behind a single-use link (no sign-in)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.views import domain_errors_as_http

from . import analysis_selectors, permissions, selectors
from .enums import ActionStatus, Dimension, Purpose, QuestionType, SurveyMode, SurveyStatus
from .launch_progress import launch_progress_read
from .services import actions as action_services
from .services import questionnaires as questionnaire_services
from .services import surveys as survey_services
from .services import waves as wave_services

PER_PAGE = 30
BLANK_QUESTION_ROWS = 3


def _answers_from(post, questions) -> dict:
    return {q.order: (post.getlist(f"q{q.order}") if q.type == QuestionType.MULTIPLE else post.get(f"q{q.order}"))
            for q in questions}


def _page(request, rows):
    try:
        return keyset_page(rows, cursor=request.GET.get("cursor", ""), limit=PER_PAGE)
    except ValidationFailed:
        return keyset_page(rows, limit=PER_PAGE)


# ---------------------------------------------------------------- responses


@login_required
@domain_errors_as_http
def response_list(request):
    status = request.GET.get("status", SurveyStatus.ANSWERED)
    status = status if status in SurveyStatus.values or status == "" else SurveyStatus.ANSWERED
    rows = selectors.response_list(user=request.user) if status == SurveyStatus.ANSWERED else \
        selectors.survey_list(user=request.user, status=status)
    page = _page(request, rows)
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    scores = analysis_selectors.response_scores(s.pk for s in page.rows)
    return render(request, "surveys/response_list.html", {
        "rows": [{"s": s, "mobile": phone(s.customer.mobile), "score": scores.get(s.pk)} for s in page.rows],
        "next_cursor": page.next_cursor,
        "status": status, "statuses": SurveyStatus.choices,
        "may_send": selectors.may_send(user=request.user), "send_modes": SEND_MODES})


SEND_MODES = [(SurveyMode.SMS, SurveyMode.SMS.label), (SurveyMode.EMAIL, SurveyMode.EMAIL.label),
              (SurveyMode.IVR, SurveyMode.IVR.label)]


@login_required
@require_POST
@domain_errors_as_http
def survey_send(request):
    """Send a survey by hand (managers): to a case's customer or to a customer by mobile number."""
    from .services.channels import survey_send as send

    try:
        customer, ticket = selectors.send_target(user=request.user, case_number=request.POST.get("case_number", ""),
                                                 mobile=request.POST.get("mobile", ""))
        survey = send(actor=request.user, customer=customer, ticket=ticket, mode=request.POST.get("mode", ""))
    except (ValidationFailed, Conflict, NotFound) as exc:
        messages.error(request, " ".join([exc.message, *(str(v) for v in getattr(exc, "fields", {}).values())]))
        return redirect("surveys:responses")
    messages.success(request, _("The survey is sent."))
    return redirect("surveys:response_detail", survey_id=survey.pk)


@login_required
@domain_errors_as_http
def response_detail(request, survey_id: int):
    survey = selectors.survey_get_for_user(user=request.user, survey_id=survey_id)
    questions = list(survey.version.questions.order_by("order"))
    errors = {}
    if request.method == "POST":
        try:
            survey_services.survey_answer_by_phone(actor=request.user, survey=survey,
                                                   answers=_answers_from(request.POST, questions))
        except ValidationFailed as exc:
            errors = exc.fields
            messages.error(request, exc.message)
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The answers are recorded."))
            return redirect("surveys:response_detail", survey_id=survey.pk)
    answered = selectors.survey_has_response(survey)
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    return render(request, "surveys/response_detail.html", {
        "survey": survey, "mobile": phone(survey.customer.mobile), "questions": questions, "errors": errors,
        "answers": list(survey.response.answers.all()) if answered else [],
        "response": survey.response if answered else None,
        "may_answer": survey.status == SurveyStatus.SENT and permissions.may_write_survey(request.user, survey),
        "opted_out": selectors.customer_opted_out(customer_id=survey.customer_id),
        "may_opt_out": permissions.can(request.user, "response", "write")})


@login_required
@require_POST
@domain_errors_as_http
def survey_opt_out(request, survey_id: int):
    """The customer asked (on the phone) not to be surveyed again."""
    survey = selectors.survey_get_for_user(user=request.user, survey_id=survey_id)
    try:
        survey_services.survey_opt_out(actor=request.user, customer=survey.customer)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The customer will not be surveyed again."))
    return redirect("surveys:response_detail", survey_id=survey.pk)


# ---------------------------------------------------------------- questionnaires


@login_required
@domain_errors_as_http
def questionnaire_list(request):
    if request.method == "POST":
        try:
            questionnaire_services.questionnaire_create(actor=request.user, code=request.POST.get("code", ""),
                                                        name=request.POST.get("name", ""),
                                                        purpose=request.POST.get("purpose", ""))
        except ValidationFailed as exc:
            messages.error(request, " ".join([exc.message, *exc.fields.values()]))
        except PermissionDenied as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The questionnaire is created."))
        return redirect("surveys:questionnaires")
    rows = selectors.questionnaire_list(user=request.user).prefetch_related("versions")
    return render(request, "surveys/questionnaire_list.html", {
        "questionnaires": rows, "purposes": Purpose.choices,
        "may_design": permissions.can(request.user, "questionnaire", "write")})


def _question_rows(post) -> list[dict]:
    """The design form's rows (blank Chinese wording: an unused row); options one a line as
    `value|中文|English`."""
    rows = []
    for kind, dimension, zh, en, options, required in zip(
            post.getlist("type"), post.getlist("dimension"), post.getlist("text_zh"), post.getlist("text_en"),
            post.getlist("options"), post.getlist("required"), strict=False):
        if not zh.strip():
            continue
        parsed = [dict(zip(("value", "zh", "en"), [p.strip() for p in line.split("|")], strict=False))
                  for line in options.splitlines() if line.strip()]
        rows.append({"type": kind, "dimension": dimension, "text_zh": zh, "text_en": en, "options": parsed,
                     "is_required": required == "yes"})
    return rows


def _version_data(post) -> dict:
    return {"title_zh": post.get("title_zh", ""), "title_en": post.get("title_en", ""),
            "intro_zh": post.get("intro_zh", ""), "intro_en": post.get("intro_en", ""),
            "modes": post.getlist("modes"), "questions": _question_rows(post)}


def _design_context(request, *, questionnaire, version=None, data=None, errors=None) -> dict:
    questions = data["questions"] if data else (
        [{"type": q.type, "dimension": q.dimension, "text_zh": q.text_zh, "text_en": q.text_en,
          "options": q.options, "is_required": q.is_required} for q in version.questions.order_by("order")]
        if version else [])
    for q in questions:
        q["options_text"] = "\n".join("|".join([o.get("value", ""), o.get("zh", ""), o.get("en", "")]).rstrip("|")
                                      for o in q["options"])
    blank = {"type": QuestionType.RATING_5, "dimension": "", "text_zh": "", "text_en": "", "options_text": "",
             "is_required": True}
    return {"questionnaire": questionnaire, "version": version, "data": data or (version and {
        "title_zh": version.title_zh, "title_en": version.title_en, "intro_zh": version.intro_zh,
        "intro_en": version.intro_en, "modes": version.modes}) or {"modes": [SurveyMode.WEB]},
        "questions": questions + [blank] * BLANK_QUESTION_ROWS, "errors": errors or {},
        "types": QuestionType.choices, "dimensions": Dimension.choices, "modes": SurveyMode.choices}


@login_required
@domain_errors_as_http
def version_edit(request, questionnaire_id: int, version_id: int | None = None):
    """Design a new version (from the latest as a start) or edit a draft."""
    questionnaire = selectors.questionnaire_get(user=request.user, questionnaire_id=questionnaire_id)
    permissions.require(request.user, "questionnaire", "write")
    version = selectors.version_get(user=request.user, version_id=version_id) if version_id else None
    if version is not None and version.questionnaire_id != questionnaire.pk:
        return redirect("surveys:questionnaires")
    start = version or questionnaire.versions.order_by("-number").first()
    if request.method == "POST":
        data = _version_data(request.POST)
        try:
            if version is None:
                version = questionnaire_services.version_create(actor=request.user, questionnaire=questionnaire,
                                                                data=data)
            else:
                version = questionnaire_services.version_update(actor=request.user, version=version, data=data)
        except (ValidationFailed, Conflict) as exc:
            messages.error(request, exc.message)
            return render(request, "surveys/version_edit.html", _design_context(
                request, questionnaire=questionnaire, version=version, data=data,
                errors=getattr(exc, "fields", {})), status=422)
        messages.success(request, _("The draft is saved."))
        return redirect("surveys:version_detail", version_id=version.pk)
    return render(request, "surveys/version_edit.html",
                  _design_context(request, questionnaire=questionnaire, version=version or start))


@login_required
@domain_errors_as_http
def version_detail(request, version_id: int):
    version = selectors.version_get(user=request.user, version_id=version_id)
    report = questionnaire_services.version_check(version)
    return render(request, "surveys/version_detail.html", {
        "version": version, "report": report, "seconds": [(SurveyMode(m).label, s / 60) for m, s in
                                                          report.seconds.items()],
        "may_publish": not version.is_frozen and permissions.can(request.user, "questionnaire", "configure"),
        "may_design": permissions.can(request.user, "questionnaire", "write")})


@login_required
@require_POST
@domain_errors_as_http
def version_publish(request, version_id: int):
    version = selectors.version_get(user=request.user, version_id=version_id)
    try:
        questionnaire_services.version_publish(actor=request.user, version=version,
                                               accept_warnings=request.POST.get("accept_warnings") == "yes")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The version is published."))
    return redirect("surveys:version_detail", version_id=version.pk)


# ---------------------------------------------------------------- improvement actions


def _action_data(post, errors: dict) -> dict:
    data = {k: post.get(k, "") for k in ("title", "dimension", "status", "notes", "closure") if k in post}
    if post.get("due_date"):
        try:
            data["due_date"] = dt.date.fromisoformat(post["due_date"])
        except ValueError:
            errors["due_date"] = _("a date")
    if post.get("owner"):
        owner = User.objects.filter(pk=post["owner"], is_active=True).first() if post["owner"].isdigit() else None
        data["owner"] = owner if owner is not None else ""
    return data


def _staff():
    return User.objects.filter(is_active=True).order_by("username")


@login_required
@domain_errors_as_http
def action_list(request):
    if request.method == "POST":
        errors: dict = {}
        data = _action_data(request.POST, errors)
        try:
            if errors:
                raise ValidationFailed(fields=errors)
            action = action_services.action_create(actor=request.user, data=data)
        except (ValidationFailed, PermissionDenied) as exc:
            messages.error(request, " ".join([exc.message, *getattr(exc, "fields", {}).values()]))
        else:
            messages.success(request, _("The improvement action is created."))
            return redirect("surveys:action_detail", improvement_action_id=action.pk)
        return redirect("surveys:actions")
    status = request.GET.get("status", "") if request.GET.get("status", "") in ActionStatus.values else ""
    page = _page(request, selectors.action_list(user=request.user, status=status))
    return render(request, "surveys/action_list.html", {
        "actions": page.rows, "next_cursor": page.next_cursor, "status": status, "statuses": ActionStatus.choices,
        "dimensions": Dimension.choices, "staff": _staff(),
        "may_write": permissions.can(request.user, "action", "write")})


@login_required
@domain_errors_as_http
def action_detail(request, improvement_action_id: int):
    action_id = improvement_action_id
    action = selectors.action_get_for_user(user=request.user, action_id=action_id)
    if request.method == "POST":
        errors: dict = {}
        data = _action_data(request.POST, errors)
        try:
            if errors:
                raise ValidationFailed(fields=errors)
            action_services.action_update(actor=request.user, action=action, data=data)
        except (ValidationFailed, PermissionDenied) as exc:
            messages.error(request, " ".join([exc.message, *getattr(exc, "fields", {}).values()]))
        else:
            messages.success(request, _("The improvement action is saved."))
        return redirect("surveys:action_detail", improvement_action_id=action.pk)
    return render(request, "surveys/action_detail.html", {
        "action": action, "comparison": selectors.action_comparison(action), "statuses": ActionStatus.choices,
        "dimensions": Dimension.choices, "staff": _staff(), "min_sample": selectors.MIN_SAMPLE,
        "may_write": permissions.may_write_action(request.user, action)})


# ---------------------------------------------------------------- the customer's web survey


def _language(request, survey) -> str:
    chosen = request.GET.get("lang") or request.POST.get("lang") or survey.language
    return "en" if chosen == "en" else "zh-hans"


@never_cache
def survey_answer(request, survey_token: str):
    token = survey_token
    """The web survey behind a single-use link: a clear page for a forged, used or expired link;
    answers recorded once."""
    try:
        survey = survey_services.survey_by_token(token)
    except survey_services.LinkRefused as exc:
        return render(request, "surveys/public_refused.html", {"problem": exc.message, "code": exc.code},
                      status=exc.status)
    language = _language(request, survey)
    questions = list(survey.version.questions.order_by("order"))
    errors, given = {}, {}
    with translation.override(language):
        if request.method == "POST":
            given = _answers_from(request.POST, questions)
            try:
                survey_services.survey_answer_by_token(token=token, answers=given)
            except survey_services.LinkRefused as exc:
                return render(request, "surveys/public_refused.html", {"problem": exc.message, "code": exc.code},
                              status=exc.status)
            except ValidationFailed as exc:
                errors = exc.fields
            else:
                return render(request, "surveys/public_thanks.html", {"language": language})
        return render(request, "surveys/public_answer.html", {
            "survey": survey, "title": survey.version.title(language), "intro": survey.version.intro(language),
            "questions": [_question_view(q, language, given.get(q.order), errors.get(f"q{q.order}"))
                          for q in questions],
            "language": language, "has_errors": bool(errors)}, status=422 if errors else 200)


def _question_view(question, language: str, given, error) -> dict:
    """What the answer page shows of one question: its wording, its choices (value, label), what was
    given before a refusal and the reason."""
    if question.type in (QuestionType.RATING_5, QuestionType.RATING_10, QuestionType.NPS):
        lo = 0 if question.type == QuestionType.NPS else 1
        hi = 5 if question.type == QuestionType.RATING_5 else 10
        choices = [(str(v), str(v)) for v in range(lo, hi + 1)]
    else:
        choices = [(o["value"], question.option_label(o["value"], language)) for o in question.options]
    chosen = set(given if isinstance(given, list) else [given] if given else [])
    return {"q": question, "text": question.text(language), "choices": choices, "chosen": chosen,
            "given": given if isinstance(given, str) else "", "error": error,
            "is_scale": question.type in (QuestionType.RATING_5, QuestionType.RATING_10, QuestionType.NPS)}


# ---------------------------------------------------------------- survey waves (调查批次)


def _wave_form(post) -> tuple[dict, dict]:
    errors: dict = {}
    data: dict = {"name": post.get("name", ""), "mode": post.get("mode", ""),
                  "method": post.get("method", "proportional"),
                  "dimensions": post.getlist("dimensions") or None,
                  "exclude_opted_out": post.get("exclude_opted_out") == "on"}
    for field in ("sample_size", "seed", "quiet_days", "reminder_count", "reminder_interval_days"):
        try:
            data[field] = int(post.get(field, ""))
        except ValueError:
            errors[field] = _("a whole number")
    return data, errors


@login_required
@domain_errors_as_http
def wave_list(request):
    waves = selectors.wave_list(user=request.user)
    may_write = permissions.can(request.user, "wave", "write")
    if request.method == "POST":
        data, errors = _wave_form(request.POST)
        try:
            version = selectors.wave_version(user=request.user, version_id=request.POST.get("version"))
            if version is None:
                errors["version"] = _("unknown questionnaire version")
            if errors:
                permissions.require(request.user, "wave", "write")
                raise ValidationFailed(_("The wave cannot be created."), fields=errors)
            wave = wave_services.wave_create(actor=request.user, version=version, **data)
        except (ValidationFailed, PermissionDenied) as exc:
            messages.error(request, " ".join([exc.message, *getattr(exc, "fields", {}).values()]))
            return redirect("surveys:waves")
        messages.success(request, _("The survey wave is created."))
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    page = _page(request, waves)
    versions = selectors.published_versions(user=request.user) if may_write else []
    return render(request, "surveys/wave_list.html", {
        "waves": page.rows, "next_cursor": page.next_cursor, "may_write": may_write, "versions": versions,
        "modes": SurveyMode.choices, "dimensions": DIMENSION_LABELS.items()})


DIMENSION_LABELS = {"customer_type": _("Customer type"), "contact_frequency": _("Contact frequency"),
                    "channel": _("Main channel"), "arpu_band": _("ARPU band")}


def stratum_label(stratum: str) -> str:
    """A stratum key (individual|never|none|A1) in the reader's language: 个人 · 从不 · 无 · A1."""
    from guanxi.customers.enums import CustomerKind, InteractionChannel
    from guanxi.segments.enums import ContactFrequency

    labels = {**dict(CustomerKind.choices), **dict(ContactFrequency.choices), **dict(InteractionChannel.choices),
              "none": _("None")}
    return " · ".join(str(labels.get(part, part)) for part in stratum.split("|"))


@login_required
@domain_errors_as_http
def wave_detail(request, wave_id: int):
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    rates = selectors.wave_rates(wave)
    strata = {s["stratum"]: s for s in wave.strata}
    rows = [{**r, **{k: strata.get(r["stratum"], {}).get(k) for k in ("population", "eligible", "allocated")},
             "label": stratum_label(r["stratum"]),
             "pct": None if r["rate"] is None else round(r["rate"] * 100, 1)} for r in rates[:-1]]
    total = {**rates[-1], "pct": None if rates[-1]["rate"] is None else round(rates[-1]["rate"] * 100, 1)}
    chart = {"labels": [r["label"] for r in rows], "rates": [r["pct"] for r in rows],
             "axis": _("Response rate (%)"), "series": _("Response rate")}
    return render(request, "surveys/wave_detail.html", {
        "wave": wave, "rows": rows, "total": total, "chart": chart, "launching": launch_progress_read(wave.pk),
        "dimension_names": [str(DIMENSION_LABELS.get(d, d)) for d in wave.dimensions],
        "may_write": permissions.can(request.user, "wave", "write")})


@login_required
@never_cache
@domain_errors_as_http
def wave_launch_status(request, wave_id: int):
    """The launch's progress, polled by the wave page while the launch runs (JSON)."""
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    progress = launch_progress_read(wave.pk)
    done, total = (progress["done"], progress["total"]) if progress else (0, 0)
    return JsonResponse({
        "status": wave.status, "launching": progress is not None, "done": done, "total": total,
        "percent": round(100 * done / total) if total else 0,
        "label": _("%(done)s of %(total)s surveys sent") % {"done": f"{done:,}", "total": f"{total:,}"}
        if progress else ""})


WAVE_ACTIONS = {"sample": (wave_services.wave_draw, _("The sample is drawn.")),
                "launch": (wave_services.wave_launch, _("The wave is launched: the surveys are sent.")),
                "close": (wave_services.wave_close, _("The wave is closed."))}


@login_required
@require_POST
@domain_errors_as_http
def wave_action(request, wave_id: int, wave_action: str):
    action = wave_action
    wave = selectors.wave_get(user=request.user, wave_id=wave_id)
    if action not in WAVE_ACTIONS:
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    service, done = WAVE_ACTIONS[action]
    try:
        service(actor=request.user, wave=wave)
    except (ValidationFailed, PermissionDenied, Conflict) as exc:
        messages.error(request, " ".join([exc.message, *getattr(exc, "fields", {}).values()]))
    else:
        messages.success(request, done)
    return redirect("surveys:wave_detail", wave_id=wave.pk)
