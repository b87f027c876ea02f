"""`/api/v1/survey-channels`: sending a survey by SMS, e-mail or for the IVR, and the IVR's key
presses as signed call-center events."""

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import File, Form
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader
from pydantic import Field

from guanxi.core.errors import ValidationFailed
from guanxi.core.routers import Router
from guanxi.core.schema import Schema
from guanxi.customers.importing.files import parse_mapping_text
from guanxi.customers.models import Customer
from guanxi.servicedesk.services.cti import cti_verify

from .models import QuestionnaireVersion
from .services import channels
from .services.imports import survey_results_import
from .uploads import saved_upload

router = Router(tags=["surveys"], operation_prefix="guanxi_survey_channels_api")


class SurveySendIn(Schema):
    customer_id: int
    mode: str = Field(..., description="sms, email or ivr")
    version_id: int | None = None
    language: str = Field("", max_length=10, description="zh-hans (default) or en")


class SurveySentOut(Schema):
    id: int
    mode: str
    status: str
    expires_at: str


class IvrKeysIn(Schema):
    event_id: str = Field(..., min_length=1, max_length=100)
    survey_id: int
    keys: list[str] = Field(..., max_length=20, description='one key sequence per question, e.g. ["5", "10#"]')


class IvrAckOut(Schema):
    accepted: bool
    survey_id: int


class CtiSignature(APIKeyHeader):
    """The CTI events' signature (`X-Guanxi-Signature`, `X-Guanxi-Timestamp`, CTI_SHARED_SECRET)."""

    param_name = "X-Guanxi-Signature"

    def authenticate(self, request, key):
        cti_verify(timestamp=request.headers.get("X-Guanxi-Timestamp", ""), signature=key or "", body=request.body)
        return "cti"


@router.post("/survey-channels/send", response={201: SurveySentOut})
def send_survey(request: HttpRequest, payload: SurveySendIn):
    customer = Customer.objects.alive().filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationFailed(fields={"customer_id": gettext_noop("no such customer")})
    version = None
    if payload.version_id is not None:
        version = QuestionnaireVersion.objects.filter(pk=payload.version_id).first()
        if version is None:
            raise ValidationFailed(fields={"version_id": gettext_noop("no such version")})
    if payload.language not in ("", "zh-hans", "en"):
        raise ValidationFailed(fields={"language": gettext_noop("zh-hans or en")})
    survey = channels.survey_send(
        actor=request.user, customer=customer, mode=payload.mode, version=version, language=payload.language
    )
    return 201, {
        "id": survey.pk,
        "mode": survey.mode,
        "status": survey.status,
        "expires_at": survey.expires_at.isoformat(),
    }


@router.post("/survey-channels/ivr/keys", response=IvrAckOut, auth=CtiSignature())
def receive_ivr_keys(request: HttpRequest, payload: IvrKeysIn):
    # The signature authenticated the call-center system.
    response = channels.survey_answer_by_keys(survey_id=payload.survey_id, keys=payload.keys)
    return {"accepted": True, "survey_id": response.survey_id}


class RowProblemOut(Schema):
    row: int
    field: str
    reason: str


class ImportReportOut(Schema):
    rows: int
    problem_count: int
    problems: list[RowProblemOut]
    imported: int
    committed: bool


@router.post("/survey-channels/import", response=ImportReportOut)
def import_survey_results(
    request: HttpRequest,
    version_id: Form[int],
    file: File[UploadedFile],
    mapping: Form[str] = "",
    commit: Form[bool] = False,
):
    """Third-party results (CSV/XLSX): `mapping` is `COLUMN=FIELD, …` (fields: customer_number, phone,
    answered_at, q1, q2…; default: guessed from the headers). Validates every row; with `commit` and
    no problem, imports all rows at once."""
    version = QuestionnaireVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise ValidationFailed(fields={"version_id": gettext_noop("no such version")})
    with saved_upload(file) as path:
        report = survey_results_import(
            actor=request.user,
            path=path,
            version=version,
            mapping=parse_mapping_text(mapping) if mapping.strip() else None,
            commit=commit,
        )
    return report
