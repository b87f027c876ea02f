"""`/api/v1/key-accounts` (cursor-paged to the end; key-account managers see only their accounts and
those they back up), one account with its criteria, history and competitors, its people (the org
chart) and its plan of a year with the actuals."""

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Status, UploadedFile

from guanxi.accounts.models import User
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.customers.models import Contact, Customer

from . import selectors, services
from .models import KeyAccountTier, KeyPerson
from .schemas import (
    GreenDocumentFilterIn,
    GreenDocumentOut,
    GreenDocumentPageOut,
    GreenProcessDetailOut,
    GreenProcessFilterIn,
    GreenProcessPageOut,
    GreenProcessStartIn,
    GreenStepCompleteIn,
    KeyAccountDashboardOut,
    KeyAccountDesignateIn,
    KeyAccountDetailOut,
    KeyAccountFilterIn,
    KeyAccountOut,
    KeyAccountPageOut,
    KeyAccountPlanIn,
    KeyAccountPlanOut,
    KeyAccountReasonIn,
    KeyPersonIn,
    KeyPersonOut,
    VisitCoverageOut,
    VisitFilterIn,
    VisitIn,
    VisitOut,
    VisitOutcomeIn,
    VisitPageOut,
)

router = Router(tags=["key accounts"], operation_prefix="guanxi_key_accounts_api")
PLAN_FIELDS = (
    "positioning",
    "external_analysis",
    "internal_analysis",
    "objectives_text",
    "strategy",
    "revenue_target",
    "share_target",
    "satisfaction_target",
    "projects_target",
)


def _out(account) -> dict:
    return {
        "id": account.pk,
        "customer": account.customer_id,
        "customer_name": account.customer.name,
        "tier": account.tier.code,
        "tier_name": account.tier.name,
        "manager": account.manager_id,
        "manager_name": str(account.manager),
        "backup": account.backup_id,
        "backup_name": str(account.backup) if account.backup_id else "",
        "is_active": account.is_active,
        "designated_at": account.designated_at,
        "score_at_designation": account.score_at_designation,
        "wallet_estimate": account.wallet_estimate,
    }


def _detail(request, account) -> dict:
    profile = selectors.account_profile(user=request.user, account=account)
    criteria = profile["criteria"]
    return {
        **_out(account),
        "score": criteria["score"],
        "threshold": criteria["threshold"],
        "meets_criteria": criteria["meets"],
        "criteria": [{**c, "label": str(c["label"])} for c in criteria["criteria"]],
        "revenue_last_year": profile["revenue_last_year"],
        "share_of_wallet": profile["share_of_wallet"],
        "competitors": profile["competitors"],
        "history": [
            {
                "kind": e.kind,
                "actor": str(e.actor) if e.actor_id else "",
                "at": e.at,
                "reason": e.reason,
                "override_reason": e.override_reason,
                "score": e.score,
                "detail": e.detail,
            }
            for e in profile["events"]
        ],
    }


def _person_out(person) -> dict:
    contact = person.contact
    return {
        "id": person.pk,
        "contact": contact.pk,
        "name": contact.name,
        "title": contact.title,
        "department": contact.department,
        "birth_date": contact.birth_date,
        "role": person.role,
        "influence": person.influence,
        "relationship": person.relationship,
        "reports_to": person.reports_to_id,
        "notes": person.notes,
    }


def _user(pk, field):
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationFailed(fields={field: _("does not exist")})
    return user


@router.get("/key-accounts", response=KeyAccountPageOut)
def list_key_accounts(request: HttpRequest, filters: Query[KeyAccountFilterIn], page: Query[CursorPageParams]):
    """The key accounts you may see (key-account managers: yours and those you back up), oldest first."""
    rows = selectors.account_list(user=request.user, tier=filters.tier, query=filters.q.strip())
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [_out(a) for a in result.rows], "next_cursor": result.next_cursor}


@router.post("/key-accounts", response={201: KeyAccountOut})
def designate_key_account(request: HttpRequest, payload: KeyAccountDesignateIn):
    """Designate a customer (managers): a reason always; an override reason when it fails the criteria."""
    customer = Customer.objects.filter(pk=payload.customer, deleted_at__isnull=True).first()
    if customer is None:
        raise ValidationFailed(fields={"customer": _("does not exist")})
    tier = KeyAccountTier.objects.filter(code=payload.tier).first()
    if tier is None:
        raise ValidationFailed(fields={"tier": _("does not exist")})
    account = services.key_account_designate(
        actor=request.user,
        customer=customer,
        tier=tier,
        manager=_user(payload.manager, "manager"),
        backup=_user(payload.backup, "backup"),
        reason=payload.reason,
        override_reason=payload.override_reason,
        wallet_estimate=payload.wallet_estimate,
    )
    return Status(201, _out(account))


@router.get("/key-accounts/{account_id}", response=KeyAccountDetailOut)
def get_key_account(request: HttpRequest, account_id: int):
    return _detail(request, selectors.account_get_for_user(user=request.user, account_id=account_id))


@router.post("/key-accounts/{account_id}/de-designate", response=KeyAccountOut)
def dedesignate_key_account(request: HttpRequest, account_id: int, payload: KeyAccountReasonIn):
    account = selectors.account_get_for_user(user=request.user, account_id=account_id)
    return _out(services.key_account_dedesignate(actor=request.user, account=account, reason=payload.reason))


@router.get("/key-accounts/{account_id}/people", response=list[KeyPersonOut])
def list_key_people(request: HttpRequest, account_id: int):
    """The account's key people (its org chart: `reports_to` links them)."""
    account = selectors.account_get_for_user(user=request.user, account_id=account_id)
    return [_person_out(p) for p in selectors.people_of(account=account)]


@router.post("/key-accounts/{account_id}/people", response={201: KeyPersonOut})
def add_key_person(request: HttpRequest, account_id: int, payload: KeyPersonIn):
    """Put a contact of the customer into the org chart (once; 422 when it is there already)."""
    account = selectors.account_get_for_user(user=request.user, account_id=account_id, action="write")
    contact = Contact.objects.filter(pk=payload.contact).first()
    if contact is None:
        raise ValidationFailed(fields={"contact": _("does not exist")})
    reports_to = None
    if payload.reports_to is not None:
        reports_to = KeyPerson.objects.filter(pk=payload.reports_to, account=account).first()
        if reports_to is None:
            raise ValidationFailed(fields={"reports_to": _("does not exist")})
    person = services.key_person_add(
        actor=request.user,
        account=account,
        contact=contact,
        role=payload.role,
        influence=payload.influence,
        relationship=payload.relationship,
        reports_to=reports_to,
        notes=payload.notes,
    )
    return Status(201, _person_out(person))


def _plan_out(account, year: int) -> dict:
    plan = selectors.plan_get(account=account, year=year)
    actuals = selectors.plan_actuals(account=account, year=year, plan=plan)
    body = {f: (getattr(plan, f) if plan else (None if f.endswith("_target") else "")) for f in PLAN_FIELDS}
    return {
        "year": year,
        "exists": plan is not None,
        **body,
        "actuals": {
            k: actuals[k]
            for k in ("revenue", "share_of_wallet", "projects_won", "satisfaction", "attainment", "monthly")
        },
    }


def _year(year: int | None) -> int:
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise NotFound(_("No plan for that year."))
    return year


@router.get("/key-accounts/{account_id}/plan", response=KeyAccountPlanOut)
def get_key_account_plan(request: HttpRequest, account_id: int, year: int | None = None):
    """The account's plan of `year` (default: this year) with the actuals from the ledger and sales."""
    account = selectors.account_get_for_user(user=request.user, account_id=account_id)
    return _plan_out(account, _year(year))


@router.put("/key-accounts/{account_id}/plan", response=KeyAccountPlanOut)
def save_key_account_plan(request: HttpRequest, account_id: int, payload: KeyAccountPlanIn, year: int | None = None):
    """Create or change the plan of `year`: the fields given."""
    account = selectors.account_get_for_user(user=request.user, account_id=account_id, action="write")
    year = _year(year)
    services.key_account_plan_save(
        actor=request.user, account=account, year=year, data=payload.dict(exclude_unset=True)
    )
    return _plan_out(account, year)


# ---------------------------------------------------------------- green channel (绿色通道)


def _step_out(step) -> dict:
    return {
        "id": step.pk,
        "position": step.position,
        "name": step.name,
        "owner": step.owner_id,
        "owner_name": str(step.owner),
        "status": step.status,
        "limit_amount": step.limit_amount,
        "limit_unit": step.limit_unit,
        "required_documents": step.required_documents,
        "documents": [d.name for d in step.document_list],
        "started_at": step.started_at,
        "due_at": step.due_at,
        "completed_at": step.completed_at,
        "is_late": step.is_late,
        "notes": step.notes,
    }


def _process_out(process) -> dict:
    current = getattr(process, "current", None)
    return {
        "id": process.pk,
        "account": process.account_id,
        "customer_name": process.account.customer.name,
        "template": process.template_id,
        "template_name": process.template.name,
        "title": process.title,
        "status": process.status,
        "started_at": process.started_at,
        "finished_at": process.finished_at,
        "current_step": current.name if current else "",
        "current_due_at": current.due_at if current else None,
    }


def _process_detail(process) -> dict:
    steps = selectors.process_steps(process=process)
    process.current = next((s for s in steps if s.status == "active"), None)
    return {**_process_out(process), "steps": [_step_out(s) for s in steps]}


@router.get("/green-channel", response=GreenProcessPageOut)
def list_green_processes(request: HttpRequest, filters: Query[GreenProcessFilterIn], page: Query[CursorPageParams]):
    """The green-channel processes you may see (key-account managers: of your accounts), oldest first."""
    account = None
    if filters.account is not None:
        account = selectors.account_get_for_user(user=request.user, account_id=filters.account)
    rows = selectors.process_list(user=request.user, account=account, status=filters.status[:10])
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {
        "items": [_process_out(p) for p in selectors.processes_with_current(result.rows)],
        "next_cursor": result.next_cursor,
    }


@router.post("/green-channel", response={201: GreenProcessDetailOut})
def start_green_process(request: HttpRequest, payload: GreenProcessStartIn):
    """Start a process for a key account from a template (default: the first in use)."""
    account = selectors.account_get_for_user(user=request.user, account_id=payload.account)
    templates = selectors.template_list(user=request.user, active_only=True)
    template = templates.filter(pk=payload.template).first() if payload.template else templates.first()
    if template is None:
        raise ValidationFailed(fields={"template": _("does not exist")})
    process = services.green_process_start(actor=request.user, account=account, template=template, title=payload.title)
    return Status(201, _process_detail(selectors.process_get_for_user(user=request.user, process_id=process.pk)))


@router.get("/green-channel/{process_id}", response=GreenProcessDetailOut)
def get_green_process(request: HttpRequest, process_id: int):
    """One process with its steps in order, their owners, limits, due times and documents."""
    return _process_detail(selectors.process_get_for_user(user=request.user, process_id=process_id))


@router.post("/green-channel/{process_id}/steps/{step_id}/complete", response=GreenProcessDetailOut)
def complete_green_step(request: HttpRequest, process_id: int, step_id: int, payload: GreenStepCompleteIn):
    """Complete the step in progress (409 for any other: steps are taken in order; 422 while a required
    document is missing); the next step's owner gets a hand-over task."""
    process = selectors.process_get_for_user(user=request.user, process_id=process_id, action="write")
    step = selectors.step_get_for_user(user=request.user, process=process, step_id=step_id)
    services.green_step_complete(actor=request.user, step=step, notes=payload.notes)
    return _process_detail(selectors.process_get_for_user(user=request.user, process_id=process_id))


def _document_out(document) -> dict:
    try:
        size = document.file.size
    except OSError:  # the stored file is gone (a restore without media): the record still lists it
        size = None
    process_id = document.step.process_id
    return {
        "id": document.pk,
        "process": process_id,
        "step": document.step_id,
        "step_name": document.step.name,
        "name": document.name,
        "file_name": document.original_name,
        "size": size,
        "uploaded_by": document.uploaded_by_id,
        "uploaded_at": document.uploaded_at,
        "download": f"/api/v1/green-channel/{process_id}/documents/{document.pk}/file",
    }


@router.get("/green-channel/{process_id}/documents", response=GreenDocumentPageOut)
def list_green_documents(
    request: HttpRequest, process_id: int, filters: Query[GreenDocumentFilterIn], page: Query[CursorPageParams]
):
    """The documents uploaded to a process's steps (of one step with `step`), oldest first."""
    process = selectors.process_get_for_user(user=request.user, process_id=process_id)
    if filters.step is not None:
        selectors.step_get_for_user(user=request.user, process=process, step_id=filters.step)
    result = keyset_page(selectors.document_list(process=process, step_id=filters.step), cursor=page.cursor,
                         limit=page.limit)
    return {"items": [_document_out(d) for d in result.rows], "next_cursor": result.next_cursor}


@router.post("/green-channel/{process_id}/steps/{step_id}/documents", response={201: GreenDocumentOut})
def upload_green_document(
    request: HttpRequest, process_id: int, step_id: int, file: File[UploadedFile], name: Form[str]
):
    """Upload one of the step's required documents (multipart/form-data: `name`, `file`) to the step in
    progress: PDF, images, Word, Excel or text, at most 10 MB; stored privately and handed out only
    through `download`. 409 when the step is not in progress, 422 for another name, type or size."""
    process = selectors.process_get_for_user(user=request.user, process_id=process_id, action="write")
    step = selectors.step_get_for_user(user=request.user, process=process, step_id=step_id)
    document = services.green_document_upload(actor=request.user, step=step, name=name, upload=file)
    return Status(201, _document_out(document))


@router.get("/green-channel/{process_id}/documents/{document_id}/file", response={200: None})
def download_green_document(request: HttpRequest, process_id: int, document_id: int):
    """The document's file, as an attachment under the name it was uploaded with."""
    document = selectors.document_get_for_user(user=request.user, document_id=document_id, process_id=process_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)


# ---------------------------------------------------------------- yellow channel (黄色通道)


def _visit_out(visit) -> dict:
    return {
        "id": visit.pk,
        "account": visit.account_id,
        "customer_name": visit.account.customer.name,
        "kind": visit.kind,
        "subject": visit.subject,
        "owner": visit.owner_id,
        "owner_name": str(visit.owner),
        "scheduled_at": visit.scheduled_at,
        "status": visit.status,
        "outcome": visit.outcome,
        "done_at": visit.done_at,
    }


@router.get("/visits", response=VisitPageOut)
def list_visits(request: HttpRequest, filters: Query[VisitFilterIn], page: Query[CursorPageParams]):
    """Visits, customers' visits to us and friendly services you may see, oldest first."""
    account = None
    if filters.account is not None:
        account = selectors.account_get_for_user(user=request.user, account_id=filters.account)
    rows = selectors.visit_list(user=request.user, account=account, kind=filters.kind, status=filters.status)
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [_visit_out(v) for v in result.rows], "next_cursor": result.next_cursor}


@router.get("/visits/coverage", response=list[VisitCoverageOut])
def get_visit_coverage(request: HttpRequest):
    """Per key-account manager: accounts visited within their tier's cadence out of all they manage."""
    return selectors.visit_coverage(user=request.user)


@router.post("/visits", response={201: VisitOut})
def schedule_visit(request: HttpRequest, payload: VisitIn):
    """Schedule a visit (422 when in the past); it becomes a task of the account's manager."""
    account = selectors.account_get_for_user(user=request.user, account_id=payload.account)
    visit = services.visit_schedule(
        actor=request.user,
        account=account,
        kind=payload.kind,
        scheduled_at=payload.scheduled_at,
        subject=payload.subject,
    )
    return Status(201, _visit_out(selectors.visit_get_for_user(user=request.user, visit_id=visit.pk)))


@router.get("/visits/{visit_id}", response=VisitOut)
def get_visit(request: HttpRequest, visit_id: int):
    return _visit_out(selectors.visit_get_for_user(user=request.user, visit_id=visit_id))


@router.post("/visits/{visit_id}/outcome", response=VisitOut)
def record_visit_outcome(request: HttpRequest, visit_id: int, payload: VisitOutcomeIn):
    """Record what came of a planned visit; its task is completed."""
    visit = selectors.visit_get_for_user(user=request.user, visit_id=visit_id, action="write")
    services.visit_record(actor=request.user, visit=visit, outcome=payload.outcome)
    return _visit_out(selectors.visit_get_for_user(user=request.user, visit_id=visit_id))


@router.get("/key-accounts/{account_id}/dashboard", response=KeyAccountDashboardOut)
def get_key_account_dashboard(request: HttpRequest, account_id: int):
    """One account's dashboard figures (key-account managers: only their accounts)."""
    account = selectors.account_get_for_user(user=request.user, account_id=account_id)
    data = selectors.account_dashboard(user=request.user, account=account)
    return {
        "id": account.pk,
        "year": data["year"],
        "revenue_this_year": data["ytd"],
        "revenue_last_12_months": data["last12"],
        "trend_percent": data["trend"],
        "pipeline_amount": data["pipeline"]["amount"],
        "pipeline_weighted": data["pipeline"]["weighted"],
        "open_opportunities": data["pipeline"]["count"],
        "channels": [{**c, "label": str(c["label"])} for c in data["channels"]],
        "satisfaction": (data["satisfaction"] or {}).get("mean"),
        "plan_attainment_percent": data["actuals"]["attainment"],
        "risk": data["risk"],
        "has_risk_score": data["has_risk"],
    }
