"""Pages of the duplicate review queue (重复客户复核) and of customer merges (客户合并, 撤销合并)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.core.errors import Conflict, DomainError, ValidationFailed
from guanxi.core.masking import mask_birth_date, mask_email, mask_id_number, mask_phone
from guanxi.core.views import domain_errors_as_http, list_page, template_for

from ..models import Customer, MatchCandidate
from ..relations import customer_related_counts
from ..schemas.merging import candidate_out
from ..selectors.customers import can_see_personal_data
from ..selectors.merging import (
    customer_get_any_for_user,
    customer_may_merge,
    customer_merge_get_for_user,
    customer_merge_history,
    match_candidate_get_for_user,
    match_candidate_list,
    merge_blocker,
)
from ..services.merging import (
    CHOOSABLE_FIELDS,
    MERGED,
    SURVIVOR,
    customer_merge,
    customer_unmerge,
    golden_record,
    match_candidate_dismiss,
)
from .dedupe import require_reviewer, scan_context

PAGE_SIZE = 20
# The services' refusals, as the UI says them.
REFUSALS = {
    "already_merged": gettext_lazy("One of the two customers has already been merged into another customer."),
    "deleted": gettext_lazy("One of the two customers has been deleted."),
    "candidate_decided": gettext_lazy("This pair has already been decided."),
    "merge_self": gettext_lazy("A customer cannot be merged into itself."),
    "merge_depends": gettext_lazy("The survivor has since been merged into another customer: undo that merge first."),
    "already_undone": gettext_lazy("This merge has already been undone."),
    "not_merged": gettext_lazy("This customer is not merged into another one."),
}


def _refusal(exc: DomainError) -> str:
    return str(REFUSALS.get(exc.code, exc.message))
LABELS = {"created_at": gettext_lazy("Customer since")}
MASKS = {"mobile": mask_phone, "email": mask_email, "id_number": mask_id_number, "bank_account": mask_id_number,
         "birth_date": mask_birth_date}


def _hx_redirect(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# ---------------------------------------------------------------- queue


def _queue_filters(request) -> tuple[str, float | None]:
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    if status not in (*MatchCandidate.Status.values, "all"):
        status = MatchCandidate.Status.PENDING
    try:
        min_probability = float(request.GET.get("min_probability") or "")
    except ValueError:
        min_probability = None
    if min_probability is not None and not 0 <= min_probability <= 1:
        min_probability = None
    return status, min_probability


@login_required
@domain_errors_as_http
@require_GET
def duplicate_list(request):
    """Pending duplicate pairs the user may see, most probable first, with the scan panel."""
    require_reviewer(request.user)
    status, min_probability = _queue_filters(request)
    qs = match_candidate_list(user=request.user, status=None if status == "all" else status,
                              min_probability=min_probability)
    page, base_query = list_page(request, qs, per_page=PAGE_SIZE)
    context = {
        "page": page, "rows": [candidate_out(c, user=request.user) for c in page.rows],
        "status": status, "min_probability": "" if min_probability is None else min_probability,
        "statuses": [(value, label) for value, label in MatchCandidate.Status.choices] + [("all", _("All"))],
        "base_query": base_query, "ordering": "",
        **scan_context(request.user),
    }
    return render(request, template_for(request, "customers/duplicate_list.html",
                                      "customers/partials/_duplicate_table.html"), context)


@login_required
@domain_errors_as_http
@require_POST
def duplicate_dismiss(request, candidate_id: int):
    """"Not a duplicate": from the queue the row disappears, from the comparison back to the queue."""
    require_reviewer(request.user)
    candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
    try:
        match_candidate_dismiss(candidate=candidate, actor=request.user)
    except Conflict:
        messages.info(request, _("This pair has already been decided."))
    if request.htmx and request.POST.get("from") == "list":
        return HttpResponse("")
    messages.success(request, _("Marked as not a duplicate."))
    return _hx_redirect(request, reverse("customers:duplicates"))


# ---------------------------------------------------------------- comparison and merge


def _display(customer: Customer, field: str, unmasked: bool) -> str:
    model_field = Customer._meta.get_field(field)
    value = getattr(customer, field)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(getattr(customer, f"get_{field}_display")())
    if field in MASKS and not unmasked:
        return MASKS[field](value)
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _completeness(customer: Customer) -> int:
    return sum(bool(getattr(customer, f)) for f in ("mobile", "email", "id_number", "birth_date", "gender"))


def _default_survivor(left: Customer, right: Customer) -> Customer:
    """The more complete record survives, the older one on a tie (as the scan's auto-merge does)."""
    return left if _completeness(left) >= _completeness(right) else right


def _comparison(user, left: Customer, right: Customer, survivor: Customer, chosen: dict | None = None) -> list[dict]:
    """One row per field that either record fills in: both values, and which side survives."""
    merged = right if survivor.pk == left.pk else left
    _, sources = golden_record(survivor, merged)
    side_of = {SURVIVOR: "left" if survivor.pk == left.pk else "right",
               MERGED: "left" if merged.pk == left.pk else "right", "both": "both"}
    unmasked = {c.pk: can_see_personal_data(user=user, customer=c) for c in (left, right)}
    rows = []
    for field in CHOOSABLE_FIELDS:
        attname = Customer._meta.get_field(field).attname
        a, b = _display(left, field, unmasked[left.pk]), _display(right, field, unmasked[right.pk])
        if not a and not b:
            continue
        same = getattr(left, attname) == getattr(right, attname)
        rows.append({
            "field": field, "label": LABELS.get(field) or Customer._meta.get_field(field).verbose_name,
            "left": a, "right": b,
            "same": same, "joinable": sources[field] == "both",
            "side": (chosen or {}).get(field) or side_of[sources[field]],
        })
    return rows


def _choices_from(post, rows: list[dict], *, left: Customer, survivor: Customer) -> dict:
    survivor_side = "left" if survivor.pk == left.pk else "right"
    choices = {}
    for row in rows:
        side = post.get(f"f_{row['field']}")
        if row["same"] or side not in ("left", "right"):
            continue  # same value, or "both" (the rule joins them)
        choices[row["field"]] = SURVIVOR if side == survivor_side else MERGED
    return choices


def _related_counts(customer: Customer) -> list[dict]:
    return [{"label": relation.model._meta.verbose_name_plural, "count": n}
            for relation, n in customer_related_counts(customer)
            if relation.model is not Customer]


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def duplicate_compare(request, candidate_id: int):
    """Both records side by side, each field with the value that survives preselected by the
    survivorship rules; "merge" and "not a duplicate"."""
    require_reviewer(request.user)
    candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
    left, right = candidate.left, candidate.right
    data = request.POST if request.method == "POST" else request.GET
    wanted = data.get("survivor")
    survivor = right if wanted == str(right.pk) else left if wanted == str(left.pk) else _default_survivor(left, right)
    merged = right if survivor.pk == left.pk else left
    rows = _comparison(request.user, left, right, survivor)
    mergeable = candidate.status == MatchCandidate.Status.PENDING and not (left.is_deleted or right.is_deleted)
    error = ""
    if request.method == "POST" and not mergeable:
        error = str(REFUSALS["candidate_decided"])
    elif request.method == "POST":
        choices = _choices_from(request.POST, rows, left=left, survivor=survivor)
        try:
            customer_merge(survivor=survivor, merged=merged, actor=request.user, candidate=candidate,
                           field_choices=choices)
        except (Conflict, ValidationFailed) as exc:
            error = _refusal(exc)
            chosen = {r["field"]: request.POST.get(f"f_{r['field']}") for r in rows}
            rows = _comparison(request.user, left, right, survivor, chosen)
        else:
            messages.success(request, _("%(merged)s was merged into %(survivor)s. You can undo it below.")
                             % {"merged": merged.code, "survivor": survivor.code})
            return _hx_redirect(request, reverse("customers:detail", args=[survivor.pk]) + "#merges")
    context = {
        "candidate": candidate, "left": left, "right": right, "survivor": survivor, "merged": merged,
        "rows": rows, "error": error, "mergeable": mergeable,
        "may_merge": all(customer_may_merge(user=request.user, customer=c) for c in (left, right)),
        "left_counts": _related_counts(left), "right_counts": _related_counts(right),
        "reasons": candidate_out(candidate, user=request.user)["reasons"],
    }
    return render(request, template_for(request, "customers/duplicate_compare.html",
                                      "customers/partials/_duplicate_compare_form.html"), context)


# ---------------------------------------------------------------- customer page: history, undo


def merge_banner(customer: Customer) -> dict:
    """For the customer page: the survivor a merged record now lives in."""
    return {"merged_into": customer.merged_into if customer.merged_into_id else None}


@login_required
@domain_errors_as_http
@require_GET
def merge_history(request, customer_id: int):
    """The customer page's merge section (htmx fragment): merges into and out of this record."""
    customer = customer_get_any_for_user(user=request.user, customer_id=customer_id)
    merges = customer_merge_history(customer=customer)
    entries = [{
        "merge": m, "blocker": merge_blocker(m),
        "may_undo": all(customer_may_merge(user=request.user, customer=c) for c in (m.survivor, m.merged)),
        "absorbed": m.survivor_id == customer.pk,
        "moved": sum(len(ids) for ids in (m.moved or {}).values()),
    } for m in merges]
    return render(request, "customers/partials/_merge_history.html",
                  {"customer": customer, "entries": entries})


@login_required
@domain_errors_as_http
@require_POST
def merge_undo(request, merge_id: int):
    merge = customer_merge_get_for_user(user=request.user, merge_id=merge_id)
    back = merge.survivor_id if request.POST.get("back") == str(merge.survivor_id) else merge.merged_id
    try:
        customer_unmerge(merge=merge, actor=request.user)
    except Conflict as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("The merge was undone: %(merged)s is a customer of its own again.")
                         % {"merged": merge.merged.code})
    return _hx_redirect(request, reverse("customers:detail", args=[back]))
