"""Key-account pages: the accounts one may see (with a CSV export in the same scope), the candidates
from the key-account score with each criterion's contribution, designation with a reason, one
account's profile (org chart in ECharts) and its plan of a year against the actuals."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.spreadsheet import spreadsheet_cell
from guanxi.core.views import domain_errors_as_http
from guanxi.customers.models import Contact, Customer
from guanxi.servicedesk.enums import Priority, TicketType
from guanxi.servicedesk.models import BusinessCalendar, ServiceStandard

from . import permissions, selectors, services
from .enums import EventKind, LimitUnit, PersonRole, Strength, VisitKind
from .models import KeyAccountPlan, KeyAccountTier, KeyPerson

PER_PAGE = 50
MONTHS = [str(m) for m in range(1, 13)]
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


def _page(rows, request):
    try:
        return keyset_page(rows, cursor=request.GET.get("cursor", ""), limit=PER_PAGE)
    except (ValidationFailed, NotFound):
        return keyset_page(rows, limit=PER_PAGE)


def _errors(exc: ValidationFailed) -> str:
    return "；".join(str(v) for v in (exc.fields or {}).values()) or str(exc.message)


def _managers():
    return User.objects.filter(is_active=True, role__in=(Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER)).order_by(
        "username"
    )


@login_required
@domain_errors_as_http
def account_list(request):
    tier, query = request.GET.get("tier", "")[:30], request.GET.get("q", "").strip()[:100]
    page = _page(selectors.account_list(user=request.user, tier=tier, query=query), request)
    return render(
        request,
        "key_accounts/account_list.html",
        {
            "accounts": page.rows,
            "next_cursor": page.next_cursor,
            "tiers": selectors.tier_list(user=request.user),
            "tier": tier,
            "q": query,
            "can_export": permissions.can(request.user, "account", "export"),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
    )


@login_required
@domain_errors_as_http
def account_export(request):
    """The accounts the user may read, as CSV (key-account managers: only theirs)."""
    permissions.require(request.user, "account", "export")
    rows = selectors.account_list(user=request.user, tier=request.GET.get("tier", "")[:30])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="key-accounts.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Customer number"),
            _("Customer"),
            _("Tier"),
            _("Key-account manager"),
            _("Backup manager"),
            _("Designated at"),
            _("Score when designated"),
        ]
    )
    for a in rows.iterator(chunk_size=1000):
        writer.writerow(
            [
                spreadsheet_cell(v)
                for v in (
                    a.customer.code,
                    a.customer.name,
                    a.tier.name,
                    a.manager,
                    a.backup or "",
                    timezone.localtime(a.designated_at).strftime("%Y-%m-%d"),
                    a.score_at_designation or "",
                )
            ]
        )
    return response


@login_required
@domain_errors_as_http
def candidate_list(request):
    include_below = request.GET.get("all") == "1"
    candidates = selectors.candidate_list(user=request.user, include_below=include_below)
    return render(
        request,
        "key_accounts/candidate_list.html",
        {
            "candidates": candidates,
            "include_below": include_below,
            "labels": [c["label"] for c in candidates[0]["criteria"]] if candidates else [],
            "threshold": selectors.criteria_of(customer_id=0)["threshold"],
            "can_designate": permissions.can(request.user, "designation", "write"),
        },
    )


@login_required
@domain_errors_as_http
def designate(request, customer_id: int):
    permissions.require(request.user, "designation", "read")
    customer = Customer.objects.filter(pk=customer_id, deleted_at__isnull=True).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    criteria = selectors.criteria_of(customer_id=customer.pk)
    form = {"tier": "", "manager": "", "backup": "", "reason": "", "override_reason": ""}
    errors: dict = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        tier = KeyAccountTier.objects.filter(code=form["tier"]).first()
        manager = _managers().filter(pk=form["manager"]).first() if form["manager"].isdigit() else None
        backup = _managers().filter(pk=form["backup"]).first() if form["backup"].isdigit() else None
        if tier is None:
            errors["tier"] = _("Choose a tier.")
        else:
            try:
                account = services.key_account_designate(
                    actor=request.user,
                    customer=customer,
                    tier=tier,
                    manager=manager,
                    backup=backup,
                    reason=form["reason"][:2000],
                    override_reason=form["override_reason"][:2000],
                )
            except ValidationFailed as exc:
                errors = {k: str(v) for k, v in (exc.fields or {}).items()}
            except Conflict as exc:
                errors = {"": exc.message}
            else:
                messages.success(request, _("%(name)s is a key account now.") % {"name": customer.name})
                return redirect("key_accounts:detail", key_account_id=account.pk)
    existing = getattr(customer, "key_account", None) if hasattr(customer, "key_account") else None
    return render(
        request,
        "key_accounts/designate.html",
        {
            "customer": customer,
            "criteria": criteria,
            "form": form,
            "errors": errors,
            "tiers": KeyAccountTier.objects.order_by("rank"),
            "managers": _managers(),
            "existing": existing,
            "can_designate": permissions.can(request.user, "designation", "write"),
        },
        status=422 if errors else 200,
    )


@login_required
@domain_errors_as_http
def account_detail(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    profile = selectors.account_profile(user=request.user, account=account)
    chart = {
        "tree": profile["chart"],
        "root": account.customer.name,
        "labels": {"influence": _("Influence"), "relationship": _("Relationship strength")},
    }
    return render(
        request,
        "key_accounts/account_detail.html",
        {
            **profile,
            "org": chart,
            "roles": PersonRole.choices,
            "strengths": Strength.choices,
            "can_write": permissions.may(request.user, account, "write"),
            "can_designate": permissions.can(request.user, "designation", "write"),
        },
    )


@login_required
@require_POST
@domain_errors_as_http
def dedesignate(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    try:
        services.key_account_dedesignate(
            actor=request.user, account=account, reason=request.POST.get("reason", "")[:2000]
        )
    except ValidationFailed as exc:
        messages.error(request, _errors(exc))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The customer is no longer a key account."))
    return redirect("key_accounts:detail", key_account_id=account.pk)


@login_required
@require_POST
@domain_errors_as_http
def person_add(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id, action="write")
    contact_id, reports_id = request.POST.get("contact", ""), request.POST.get("reports_to", "")
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id.isdigit() else None
    reports_to = KeyPerson.objects.filter(pk=reports_id, account=account).first() if reports_id.isdigit() else None
    if contact is None:
        messages.error(request, _("Choose a contact."))
    else:
        try:
            services.key_person_add(
                actor=request.user,
                account=account,
                contact=contact,
                role=request.POST.get("role", ""),
                influence=request.POST.get("influence"),
                relationship=request.POST.get("relationship"),
                reports_to=reports_to,
                notes=request.POST.get("notes", ""),
            )
        except ValidationFailed as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("%(name)s is in the org chart now.") % {"name": contact.name})
    return redirect("key_accounts:detail", key_account_id=account.pk)


@login_required
@require_POST
@domain_errors_as_http
def competitor_add(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id, action="write")
    try:
        services.competitor_save(
            actor=request.user,
            account=account,
            name=request.POST.get("name", ""),
            share_of_wallet=request.POST.get("share_of_wallet", ""),
            products=request.POST.get("products", ""),
        )
    except ValidationFailed as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Competitor saved."))
    return redirect("key_accounts:detail", key_account_id=account.pk)


@login_required
@domain_errors_as_http
def plan(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    errors = ""
    if request.method == "POST":
        try:
            services.key_account_plan_save(
                actor=request.user, account=account, year=year, data={f: request.POST.get(f, "") for f in PLAN_FIELDS}
            )
        except ValidationFailed as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(f"{request.path}?year={year}")
    current = selectors.plan_get(account=account, year=year)
    actuals = selectors.plan_actuals(account=account, year=year, plan=current)
    chart = {
        "months": MONTHS,
        "monthly": actuals["monthly"],
        "cumulative": actuals["cumulative"],
        "target": actuals["target_line"],
        "labels": {
            "monthly": _("Revenue per month"),
            "cumulative": _("Revenue so far"),
            "target": _("Revenue target so far"),
        },
    }
    return render(
        request,
        "key_accounts/plan.html",
        {
            "account": account,
            "year": year,
            "plan": current,
            "actuals": actuals,
            "chart": chart,
            "years": sorted(set(selectors.plan_years(account=account)) | {timezone.localdate().year}, reverse=True),
            "can_write": permissions.may(request.user, account, "write"),
            "errors": errors,
            "steps": [
                (f, KeyAccountPlan._meta.get_field(f).verbose_name, (current and getattr(current, f)) or "")
                for f in PLAN_FIELDS[:5]
            ],
        },
        status=422 if errors else 200,
    )


# ---------------------------------------------------------------- green channel (绿色通道)


def _moment(value: str):
    """A `datetime-local` field's value in the current time zone, or None."""
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@domain_errors_as_http
def green_list(request, key_account_id: int | None = None):
    """The green-channel processes of one account (or all one may see), with a start form."""
    account = None
    if key_account_id is not None:
        account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    status = request.GET.get("status", "")[:10]
    page = _page(selectors.process_list(user=request.user, account=account, status=status), request)
    can_start = account is not None and permissions.may_on(request.user, "process", account, "write")
    if request.method == "POST":
        if account is None:
            raise NotFound(_("Key account not found."))
        permissions.require(request.user, "process", "write", allowed=can_start)
        raw = request.POST.get("template", "")
        template = (
            selectors.template_list(user=request.user, active_only=True)
            .filter(pk=int(raw) if raw.isdigit() else 0)
            .first()
        )
        if template is None:
            messages.error(request, _("Choose a template."))
        else:
            try:
                process = services.green_process_start(
                    actor=request.user, account=account, template=template, title=request.POST.get("title", "")
                )
            except (ValidationFailed, Conflict) as exc:
                messages.error(request, _errors(exc) if isinstance(exc, ValidationFailed) else exc.message)
            else:
                messages.success(request, _("Green-channel process started."))
                return redirect("key_accounts:green_detail", process_id=process.pk)
        return redirect("key_accounts:green_account", key_account_id=account.pk)
    return render(
        request,
        "key_accounts/green_list.html",
        {
            "account": account,
            "processes": selectors.processes_with_current(page.rows),
            "next_cursor": page.next_cursor,
            "status": status,
            "templates": selectors.template_list(user=request.user, active_only=True) if can_start else [],
            "can_start": can_start,
            "can_configure": permissions.can(request.user, "template", "configure"),
            "now": timezone.now(),
        },
    )


@login_required
@domain_errors_as_http
def green_detail(request, process_id: int):
    """One process: its steps as a stepper; the step in progress takes documents and is completed,
    the last completed one may be reopened (with a reason)."""
    process = selectors.process_get_for_user(user=request.user, process_id=process_id)
    can_write = permissions.may_on(request.user, "process", process.account, "write")
    if request.method == "POST":
        permissions.require(request.user, "process", "write", allowed=can_write)
        raw = request.POST.get("step", "")
        step = selectors.step_get_for_user(user=request.user, process=process, step_id=int(raw) if raw.isdigit() else 0)
        action = request.POST.get("step_action", "")
        try:
            if action == "upload":
                services.green_document_upload(
                    actor=request.user, step=step, name=request.POST.get("name", ""), upload=request.FILES.get("file")
                )
                messages.success(request, _("Document uploaded."))
            elif action == "complete":
                services.green_step_complete(actor=request.user, step=step, notes=request.POST.get("notes", ""))
                messages.success(request, _("Step completed: %(step)s.") % {"step": step.name})
            elif action == "reopen":
                services.green_step_reopen(actor=request.user, step=step, reason=request.POST.get("reason", ""))
                messages.success(request, _("Step reopened: %(step)s.") % {"step": step.name})
            else:
                messages.error(request, _("Unknown action."))
        except ValidationFailed as exc:
            messages.error(request, _errors(exc))
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("key_accounts:green_detail", process_id=process.pk)
    steps = selectors.process_steps(process=process)
    done = [s for s in steps if s.status == "done"]
    return render(
        request,
        "key_accounts/green_detail.html",
        {
            "process": process,
            "account": process.account,
            "steps": steps,
            "last_done": done[-1] if done and process.status == "running" else None,
            "can_write": can_write,
            "now": timezone.now(),
        },
    )


@login_required
@domain_errors_as_http
def green_document(request, green_document_id: int):
    """A step's document, to those who may read its process (media files are never served directly)."""
    document = selectors.document_get_for_user(user=request.user, document_id=green_document_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)


TEMPLATE_ROWS_EXTRA = 3


@login_required
@domain_errors_as_http
def green_templates(request):
    permissions.require(request.user, "template", "read")
    return render(
        request,
        "key_accounts/green_templates.html",
        {
            "templates": selectors.template_list(user=request.user),
            "can_configure": permissions.can(request.user, "template", "configure"),
        },
    )


def _template_rows(post) -> list[dict]:
    rows = []
    for i in range(1, MAX_TEMPLATE_ROWS + 1):
        name = post.get(f"name_{i}", "").strip()
        if not name:
            continue
        documents = post.get(f"documents_{i}", "").replace("，", ",").replace("、", ",")
        rows.append(
            {
                "name": name,
                "owner_role": post.get(f"owner_role_{i}", ""),
                "owner_user": None,
                "limit_amount": post.get(f"limit_amount_{i}", ""),
                "limit_unit": post.get(f"limit_unit_{i}", ""),
                "required_documents": [d.strip() for d in documents.split(",") if d.strip()],
            }
        )
    return rows


MAX_TEMPLATE_ROWS = 20


@login_required
@domain_errors_as_http
def green_template_edit(request, green_template_id: int | None = None):
    """The template editor (administrators): name, calendar and steps in order."""
    permissions.require(request.user, "template", "configure")
    template = selectors.template_get(user=request.user, template_id=green_template_id) if green_template_id else None
    errors = ""
    if request.method == "POST":
        raw = request.POST.get("calendar", "")
        calendar = BusinessCalendar.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            template = services.green_template_save(
                actor=request.user,
                template=template,
                name=request.POST.get("name", ""),
                calendar=calendar,
                is_active=request.POST.get("is_active") == "on",
                steps=_template_rows(request.POST),
            )
        except ValidationFailed as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("key_accounts:green_templates")
    steps = list(template.steps.order_by("position")) if template else []
    rows = [
        {
            "n": i,
            "name": s.name,
            "owner_role": s.owner_role,
            "limit_amount": s.limit_amount,
            "limit_unit": s.limit_unit,
            "documents": "、".join(s.required_documents),
        }
        for i, s in enumerate(steps, start=1)
    ]
    rows += [
        {
            "n": i,
            "name": "",
            "owner_role": Role.KEY_ACCOUNT_MANAGER,
            "limit_amount": "",
            "limit_unit": "days",
            "documents": "",
        }
        for i in range(len(rows) + 1, min(len(rows) + TEMPLATE_ROWS_EXTRA, MAX_TEMPLATE_ROWS) + 1)
    ]
    return render(
        request,
        "key_accounts/green_template_edit.html",
        {
            "template": template,
            "rows": rows,
            "roles": Role.choices,
            "units": LimitUnit.choices,
            "calendars": BusinessCalendar.objects.order_by("name"),
            "errors": errors,
        },
        status=422 if errors else 200,
    )


# ---------------------------------------------------------------- yellow channel (黄色通道)


@login_required
@domain_errors_as_http
def visit_list(request, key_account_id: int | None = None):
    """Visits of one account (schedule one, record outcomes) or of all one may see, with the coverage
    per manager as a chart."""
    account = None
    if key_account_id is not None:
        account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    can_write = account is not None and permissions.may_on(request.user, "visit", account, "write")
    form = {"kind": VisitKind.MANAGER_VISIT, "scheduled_at": "", "subject": ""}
    if request.method == "POST":
        if account is None:
            raise NotFound(_("Key account not found."))
        permissions.require(request.user, "visit", "write", allowed=can_write)
        try:
            if request.POST.get("visit_action") == "outcome":
                raw = request.POST.get("visit", "")
                visit = selectors.visit_get_for_user(
                    user=request.user, visit_id=int(raw) if raw.isdigit() else 0, action="write"
                )
                if visit.account_id != account.pk:
                    raise NotFound(_("Visit not found."))
                services.visit_record(actor=request.user, visit=visit, outcome=request.POST.get("outcome", ""))
                messages.success(request, _("Outcome recorded."))
            else:
                form = {k: request.POST.get(k, "").strip() for k in form}
                services.visit_schedule(
                    actor=request.user,
                    account=account,
                    kind=form["kind"],
                    scheduled_at=_moment(form["scheduled_at"]),
                    subject=form["subject"][:200],
                )
                messages.success(request, _("Visit scheduled."))
        except ValidationFailed as exc:
            messages.error(request, _errors(exc))
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("key_accounts:visits_account", key_account_id=account.pk)
    kind = request.GET.get("kind", "")[:20]
    rows = selectors.visit_list(user=request.user, account=account, kind=kind).order_by("-scheduled_at", "-id")
    page = _page(rows, request)
    coverage = [] if account else selectors.visit_coverage(user=request.user)
    return render(
        request,
        "key_accounts/visit_list.html",
        {
            "account": account,
            "visits": page.rows,
            "next_cursor": page.next_cursor,
            "kind": kind,
            "kinds": VisitKind.choices,
            "can_write": can_write,
            "due": selectors.visits_due(account=account) if account else None,
            "coverage": coverage,
            "chart": {
                "managers": [r["manager"] for r in coverage],
                "share": [r["share"] for r in coverage],
                "covered": [r["covered"] for r in coverage],
                "accounts": [r["accounts"] for r in coverage],
                "labels": {"share": _("Visited within cadence (%)")},
            },
            "can_export": permissions.can(request.user, "visit", "export"),
        },
    )


@login_required
@domain_errors_as_http
def visit_export(request):
    """The visits the user may read, as CSV (key-account managers: only of their accounts)."""
    permissions.require(request.user, "visit", "export")
    rows = selectors.visit_list(user=request.user, kind=request.GET.get("kind", "")[:20])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="key-account-visits.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Customer"), _("Kind"), _("Subject"), _("Owner"), _("Scheduled for"), _("Status"), _("Outcome")])
    for v in rows.iterator(chunk_size=1000):
        writer.writerow(
            [
                spreadsheet_cell(x)
                for x in (
                    v.account.customer.name,
                    v.get_kind_display(),
                    v.subject,
                    v.owner,
                    timezone.localtime(v.scheduled_at).strftime("%Y-%m-%d %H:%M"),
                    v.get_status_display(),
                    v.outcome,
                )
            ]
        )
    return response


# ---------------------------------------------------------------- tier and manager changes


@login_required
@domain_errors_as_http
def account_change(request, key_account_id: int):
    """Change the account's tier or its managers, with a reason (kept in the history; the people newly
    given the account get a hand-over task)."""
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    permissions.require(request.user, "designation", "write")
    errors: dict = {}
    form = {"tier": str(account.tier_id), "manager": str(account.manager_id), "backup": str(account.backup_id or "")}
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:20] for k in ("tier", "manager", "backup")}
        tier = KeyAccountTier.objects.filter(pk=form["tier"]).first() if form["tier"].isdigit() else None
        manager = _managers().filter(pk=form["manager"]).first() if form["manager"].isdigit() else None
        backup = _managers().filter(pk=form["backup"]).first() if form["backup"].isdigit() else None
        if tier is None:
            errors["tier"] = _("Choose a tier.")
        if manager is None:
            errors["manager"] = _("Choose an active key-account manager.")
        if form["backup"] and backup is None:
            errors["backup"] = _("Choose an active key-account manager.")
        if not errors:
            try:
                services.key_account_change(
                    actor=request.user,
                    account=account,
                    reason=request.POST.get("reason", "")[:2000],
                    tier=tier,
                    manager=manager,
                    backup=backup,
                    clear_backup=backup is None,
                )
            except ValidationFailed as exc:
                errors = dict(exc.fields or {"reason": exc.message})
            except Conflict as exc:
                errors = {"reason": exc.message}
            else:
                messages.success(request, _("The account's tier and managers are saved."))
                return redirect("key_accounts:detail", key_account_id=account.pk)
    return render(
        request,
        "key_accounts/account_change.html",
        {
            "account": account,
            "form": form,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "errors": errors,
            "tiers": KeyAccountTier.objects.order_by("rank"),
            "managers": _managers(),
            "events": selectors.event_list(account=account).filter(
                kind__in=(EventKind.TIER_CHANGED, EventKind.MANAGER_CHANGED)
            )[:50],
        },
        status=422 if errors else 200,
    )


# ---------------------------------------------------------------- red channel and dashboard


@login_required
@domain_errors_as_http
def red_board(request):
    """The red-channel board (红色通道): open red-channel cases of the accounts one may read."""
    rows = selectors.red_case_list(user=request.user)
    return render(
        request,
        "key_accounts/red_board.html",
        {
            "cases": rows[:200],
            "count": rows.count(),
            "rules": selectors.red_rule_list(user=request.user),
            "now": timezone.now(),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
    )


@login_required
@domain_errors_as_http
def red_rules(request):
    """The red-channel rules (红色通道规则), active and not; administrators and service managers change them."""
    return render(
        request,
        "key_accounts/red_rules.html",
        {
            "rules": selectors.red_rule_list(user=request.user),
            "can_configure": permissions.can(request.user, "red_rule", "configure"),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
    )


def _red_rule_input(post) -> tuple[dict, dict]:
    """The form's choices as records; unknown ids are reported per field (the service checks the rest)."""
    errors, ids = {}, [v for v in post.getlist("standards") if v.isdigit()]
    tier = None
    if post.get("tier", ""):
        raw = post["tier"]
        tier = KeyAccountTier.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if tier is None:
            errors["tier"] = _("Choose a tier from the list.")
    raw_team = post.get("team", "")
    priority = post.get("priority", "")
    data = {
        "name": post.get("name", ""),
        "tier": tier,
        "team": Team.objects.filter(pk=int(raw_team)).first() if raw_team.isdigit() else None,
        "ticket_types": post.getlist("ticket_types"),
        "priority": int(priority) if priority.isdigit() and len(priority) < 3 else 0,
        "standards": list(ServiceStandard.objects.filter(pk__in=ids)),
        "is_active": post.get("is_active") == "on",
    }
    if not data["ticket_types"]:
        errors["ticket_types"] = _("Choose at least one case type.")
    return data, errors


@login_required
@domain_errors_as_http
def red_rule_edit(request, red_rule_id: int | None = None):
    """Create or change a red-channel rule: tier, case types, team, minimum priority, its standards."""
    permissions.require(request.user, "red_rule", "configure")
    rule = selectors.red_rule_get(user=request.user, rule_id=red_rule_id) if red_rule_id else None
    errors, chosen = {}, None
    if request.method == "POST":
        data, errors = _red_rule_input(request.POST)
        chosen = data
        if not errors:
            try:
                services.red_channel_rule_save(actor=request.user, rule=rule, **data)
            except ValidationFailed as exc:
                errors = exc.fields or {"name": str(exc.message)}
            else:
                messages.success(request, _("Red-channel rule saved."))
                return redirect("key_accounts:red_rules")
    if chosen is None:
        chosen = {
            "name": rule.name if rule else "",
            "tier": rule.tier if rule else None,
            "team": rule.team if rule else None,
            "ticket_types": rule.ticket_types if rule else ["fault", "complaint"],
            "priority": rule.priority if rule else 3,
            "standards": list(rule.standards.all()) if rule else [],
            "is_active": rule.is_active if rule else True,
        }
    return render(
        request,
        "key_accounts/red_rule_edit.html",
        {
            "rule": rule,
            "form": {**chosen, "standard_ids": {s.pk for s in chosen["standards"]}},
            "errors": errors,
            "tiers": KeyAccountTier.objects.order_by("rank", "id"),
            "teams": Team.objects.order_by("name"),
            "types": TicketType.choices,
            "priorities": Priority.choices,
            "standards": ServiceStandard.objects.filter(is_active=True).order_by("metric", "target_minutes", "id"),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
@domain_errors_as_http
def red_rule_deactivate(request, red_rule_id: int):
    rule = selectors.red_rule_get(user=request.user, rule_id=red_rule_id)
    services.red_channel_rule_deactivate(actor=request.user, rule=rule)
    messages.success(request, _("Red-channel rule deactivated: %(name)s.") % {"name": rule.name})
    return redirect("key_accounts:red_rules")


def _dashboard_chart(data: dict) -> dict:
    return {
        "months": data["months"],
        "revenue": data["revenue_trend"],
        "stages": data["pipeline"]["stages"],
        "channels": [
            {"label": str(c["label"]), "open": c["open"], "late": c["late"]}
            for c in data["channels"]
            if c["open"] is not None
        ],
        "labels": {
            "revenue": _("Revenue per month"),
            "pipeline": _("Open opportunities by stage"),
            "open": _("Open"),
            "late": _("Breached"),
        },
    }


@login_required
@domain_errors_as_http
def dashboard(request):
    """The portfolio's dashboard (key-account managers: their accounts)."""
    tier = request.GET.get("tier", "")[:30]
    data = selectors.portfolio_dashboard(user=request.user, tier=tier)
    return render(
        request,
        "key_accounts/dashboard.html",
        {
            **data,
            "tier": tier,
            "tiers": selectors.tier_list(user=request.user),
            "chart": _dashboard_chart(data),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
    )


@login_required
@domain_errors_as_http
def account_dashboard(request, key_account_id: int):
    account = selectors.account_get_for_user(user=request.user, account_id=key_account_id)
    data = selectors.account_dashboard(user=request.user, account=account)
    return render(
        request,
        "key_accounts/account_dashboard.html",
        {
            **data,
            "chart": _dashboard_chart(data),
            "can_designate": permissions.can(request.user, "designation", "read"),
        },
    )
