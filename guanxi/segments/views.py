"""Segment and customer-value pages: thin views over the scoped selectors and the services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.accounts.selectors import team_choices
from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import capped_page
from guanxi.core.views import domain_errors_as_http, template_for
from guanxi.customers.schemas import customer_row
from guanxi.customers.selectors import can_see_personal_data

from . import builder, permissions, rules, selectors, services
from .enums import AbcClass, Portfolio, RfmSegment, ServiceLevel, ServiceMode, ValueLevel
from .exporting import segment_export_response
from .naming import segment_display_name

PAGE_SIZE = 25
LABELS = {"value_level": dict(ValueLevel.choices), "abc_class": dict(AbcClass.choices),
          "rfm_segment": dict(RfmSegment.choices), "portfolio": dict(Portfolio.choices),
          "service_level": dict(ServiceLevel.choices), "service_mode": dict(ServiceMode.choices)}


def _clusters() -> dict[int, dict]:
    run = selectors.latest_run()
    return {c["id"]: c for c in run.clusters} if run else {}


def _label(kind: str, value) -> str:
    return str(LABELS[kind].get(value, value or "")) if value not in (None, "") else ""


# ---------------------------------------------------------------- list


@login_required
@require_GET
def segment_list(request):
    clusters = _clusters()
    rows = [{"segment": s, "name": segment_display_name(s, clusters=clusters),
             "can_edit": permissions.can_edit_segment(request.user, s),
             "service_level": _label("service_level", s.service_level),
             "service_mode": _label("service_mode", s.service_mode)}
            for s in selectors.segment_list(user=request.user)]
    return render(request, "segments/segment_list.html", {
        "rule_rows": [r for r in rows if not r["segment"].is_system],
        "system_rows": [r for r in rows if r["segment"].is_system],
        "can_create": permissions.can(request.user, "segment", "write"),
        "can_see_reports": permissions.can(request.user, "report", "read"),
        "run": selectors.latest_run(),
    })


# ---------------------------------------------------------------- builder


def _builder_context(request, *, segment=None, definition=None, data=None, errors=None) -> dict:
    definition = definition if definition is not None else (segment.definition if segment else None)
    shape = builder.groups_from_definition(definition or {})
    json_mode = shape is None or (data is not None and data.get("mode") == "json")
    top, groups = shape if shape else ("all", [])
    if not groups:
        groups = [{"token": builder.token(), "match": "all", "rows": []}]
    for group in groups:
        group["rows"] = [_row_context(row["token"], group["token"], row["field"], row["op"], row["value"])
                         for row in group["rows"]]
    values = data or {}
    return {
        "segment": segment, "top_match": top, "groups": groups, "errors": errors or [],
        "json_mode": json_mode,
        "definition_json": values.get("definition_json") if json_mode and data is not None and values.get(
            "mode") == "json" else json.dumps(definition or {"match": "all", "rules": []}, ensure_ascii=False,
                                              indent=2),
        "name": values.get("name", segment.name if segment else ""),
        "description": values.get("description", segment.description if segment else ""),
        "is_shared": (values.get("is_shared") == "on") if data is not None else bool(segment and segment.is_shared),
        "fields": rules.field_catalogue(),
        "may_share": permissions.can(request.user, "segment", "write"),
        "service": _service_context(segment, values if data is not None else None),
    }


def _service_context(segment, data) -> dict:
    def current(name, default=""):
        if data is not None:
            return data.get(name, default)
        value = getattr(segment, name, default) if segment else default
        return "" if value is None else value

    return {"priority": current("service_priority"), "level": current("service_level"),
            "team": str(current("service_team_id") if data is not None else (segment.service_team_id or "")
                        if segment else ""),
            "hours": current("service_hours"), "mode": current("service_mode"), "content": current("service_content"),
            "levels": ServiceLevel.choices, "modes": ServiceMode.choices,
            "teams": team_choices()}


def _row_context(row_token: str, group_token: str, field: str, op: str, value) -> dict:
    spec = rules.FIELDS.get(field) or next(iter(rules.FIELDS.values()))
    op = op if op in spec.operators else spec.operators[0]
    values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
    choices = [(str(v), str(label)) for v, label in spec.choices()] if spec.choices and spec.type != "province" else []
    widget = "none" if op in rules.EMPTY_OPERATORS else (
        "days" if op in ("within_days", "before_days") else
        ("select-multiple" if op in rules.LIST_OPERATORS else "select") if choices else
        ("list" if op in rules.LIST_OPERATORS else
         {"number": "number", "integer": "number", "id": "number", "date": "date"}.get(spec.type, "text")))
    return {"prefix": f"g{group_token}-r{row_token}", "group": group_token, "row": row_token, "field": spec.name,
            "op": op,
            "operators": [(o, str(rules.OPERATORS[o])) for o in spec.operators], "widget": widget,
            "between": op == "between", "choices": choices, "values": [str(v) for v in values],
            "value_text": "、".join(str(v) for v in values) if widget == "list" else (str(values[0]) if values else ""),
            "value2": str(values[1]) if op == "between" and len(values) > 1 else ""}


def _definition_from(request) -> dict:
    if request.POST.get("mode") == "json":
        try:
            return json.loads(request.POST.get("definition_json") or "{}")
        except ValueError as exc:
            raise ValidationFailed(_("The definition is not valid JSON."),
                                   fields={"definition": "not valid JSON"}) from exc
    return builder.definition_from_form(request.POST)


def _service_data(post) -> dict:
    return {"service_priority": post.get("service_priority", ""), "service_level": post.get("service_level", ""),
            "service_team": post.get("service_team_id", ""), "service_hours": post.get("service_hours", ""),
            "service_mode": post.get("service_mode", ""), "service_content": post.get("service_content", "")}


def _error_list(exc: ValidationFailed) -> list[str]:
    return [f"{_field_label(path)}: {_(reason)}" for path, reason in exc.fields.items()] or [exc.message]


def _field_label(path: str) -> str:
    names = {"name": _("Name"), "description": _("Description"), "service_priority": _("Service priority"),
             "service_level": _("Service level"), "service_team": _("Service staff"),
             "service_hours": _("Service hours"), "service_mode": _("Service mode")}
    if path in names:
        return str(names[path])
    return _("Filter") + " " + path.removeprefix("definition").lstrip(".")


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def segment_create(request):
    if not permissions.can(request.user, "segment", "write"):
        raise DjangoPermissionDenied(_("Your role cannot create segments."))
    if request.method == "POST":
        definition = None
        try:
            definition = _definition_from(request)
            data = {"name": request.POST.get("name", ""), "description": request.POST.get("description", ""),
                    "definition": definition, "is_shared": request.POST.get("is_shared") == "on",
                    **_service_data(request.POST)}
            segment = services.segment_create(actor=request.user, data=data)
        except ValidationFailed as exc:
            definition = definition if isinstance(definition, dict) else None
            context = _builder_context(request, definition=definition, data=request.POST, errors=_error_list(exc))
            return render(request, "segments/segment_form.html", context, status=422)
        messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
        return redirect("segments:detail", segment_id=segment.pk)
    return render(request, "segments/segment_form.html", _builder_context(request))


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def segment_edit(request, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    selectors.segment_get_for_user(user=request.user, segment_id=segment_id,
                                   action="service" if segment.is_system else "write")
    if request.method == "POST":
        definition = None
        try:
            data = {"description": request.POST.get("description", ""), **_service_data(request.POST)}
            if not segment.is_system:
                definition = _definition_from(request)
                data.update(name=request.POST.get("name", ""), definition=definition,
                            is_shared=request.POST.get("is_shared") == "on")
            services.segment_update(actor=request.user, segment=segment, data=data)
        except ValidationFailed as exc:
            context = _builder_context(request, segment=segment, definition=definition if isinstance(
                definition, dict) else None, data=request.POST, errors=_error_list(exc))
            return render(request, "segments/segment_form.html", context, status=422)
        messages.success(request, _("Segment saved."))
        return redirect("segments:detail", segment_id=segment.pk)
    return render(request, "segments/segment_form.html", _builder_context(request, segment=segment))


@login_required
@domain_errors_as_http
@require_POST
def segment_delete(request, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id, action="write")
    services.segment_delete(actor=request.user, segment=segment)
    messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("segments:list")


@login_required
@require_POST
def segment_preview(request):
    """htmx: how many customers you may read the builder's definition matches."""
    try:
        clean = rules.validate(_definition_from(request))
        count = selectors.definition_count(user=request.user, definition=clean)
    except ValidationFailed as exc:
        return render(request, "segments/partials/_preview.html", {"errors": _error_list(exc)})
    return render(request, "segments/partials/_preview.html", {"count": count})


@login_required
@require_GET
def segment_rule_row(request):
    """htmx: one builder row (a new one, or the same row re-rendered for another field or operator)."""
    group = request.GET.get("group", "")
    if not group.isalnum() or len(group) > 16:
        group = builder.token()
    row = request.GET.get("row", "")
    if not row.isalnum() or len(row) > 16:
        row = builder.token()
    prefix = f"g{group}-r{row}"
    field = request.GET.get(f"{prefix}-field") or request.GET.get("field", "value_level")
    op = request.GET.get(f"{prefix}-op", "")
    if request.GET.get("changed") == "field":
        op = ""
    values = request.GET.getlist(f"{prefix}-value")
    context = {"row": _row_context(row, group, field, op, values if op else None), "fields": rules.field_catalogue()}
    return render(request, "segments/partials/_rule_row.html", context)


@login_required
@require_GET
def segment_group(request):
    """htmx: a new, empty group of rows."""
    group = {"token": builder.token(), "match": "all", "rows": []}
    return render(request, "segments/partials/_group.html", {"group": group, "fields": rules.field_catalogue()})


# ---------------------------------------------------------------- members


@login_required
@domain_errors_as_http
@require_GET
def segment_detail(request, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    ordering = request.GET.get("ordering") or None
    if ordering and ordering.lstrip("-") not in selectors.MEMBER_ORDERING.allowed:
        ordering = None
    members = selectors.segment_members(segment=segment, user=request.user, ordering=ordering)
    page = capped_page(members, page=page_number, per_page=PAGE_SIZE)
    rows = []
    for customer in page.rows:
        row = customer_row(customer, unmasked=can_see_personal_data(user=request.user, customer=customer))
        snapshot = getattr(customer, "value_snapshot", None)
        row.update(value_level=_label("value_level", getattr(snapshot, "value_level", None)),
                   abc_class=getattr(snapshot, "abc_class", ""),
                   rfm_segment=_label("rfm_segment", getattr(snapshot, "rfm_segment", None)),
                   clv_36m=getattr(snapshot, "clv_36m", None),
                   key_account_score=getattr(snapshot, "key_account_score", None))
        rows.append(row)
    context = {"segment": segment, "name": segment_display_name(segment, clusters=_clusters()), "page": page,
               "rows": rows, "ordering": ordering or selectors.MEMBER_ORDERING.default, "base_query": "",
               "can_edit": permissions.can_edit_segment(request.user, segment),
               "can_edit_service": permissions.can_edit_service_tier(request.user, segment),
               "can_export": permissions.can(request.user, "segment", "export"),
               "definition_text": rules.describe(segment.definition),
               "service_level": _label("service_level", segment.service_level),
               "service_mode": _label("service_mode", segment.service_mode)}
    return render(request, template_for(request, "segments/segment_detail.html",
                                      "segments/partials/_member_table.html"), context)


@login_required
@domain_errors_as_http
@require_GET
def segment_export(request, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    return segment_export_response(user=request.user, segment=segment)


# ---------------------------------------------------------------- analysis


@login_required
@domain_errors_as_http
@require_GET
def value_analysis(request):
    """Value pyramid, ABC Pareto curve, RFM heat map, brand × ARPU, portfolio matrix, clusters."""
    if not permissions.can(request.user, "report", "read"):
        raise DjangoPermissionDenied(_("Your role cannot see customer-value reports."))
    reports = {name.replace("-", "_"): selectors.value_report(user=request.user, name=name)
               for name in selectors.REPORTS}
    run = selectors.latest_run()
    charts = _charts(reports) if run else {}
    brand_rows = []
    if run:
        data = reports["brand_arpu"]["data"]
        brand_rows = [{"brand": b["brand"], "customers": b["customers"],
                       "counts": [b["cells"].get(band, {}).get("customers", 0) for band in data["bands"]]}
                      for b in data["brands"]]
    labels = {"customers_pct": _("Customers (%)"), "revenue_pct": _("Revenue (%)"), "r": _("Recency score R"),
              "f": _("Frequency score F"), "customers": _("Customers"), "brand_growth": _("Growth of the brand"),
              "customer_growth": _("Customer's growth"), "revenue": _("Revenue, last 12 months")}
    return render(request, "segments/analysis.html", {
        "run": run, "reports": reports, "charts": charts, "brand_rows": brand_rows, "chart_labels": labels,
        "can_recompute": permissions.can(request.user, "value_run", "write"), "failed_run": selectors.last_failed_run(),
    })


def _charts(reports: dict) -> dict:
    pyramid = reports["pyramid"]["data"]["levels"]
    abc = reports["abc"]["data"]
    rfm = reports["rfm"]["data"]
    portfolio = reports["portfolio"]["data"]
    quadrant_labels = dict(Portfolio.choices)
    return {
        "pyramid": [{"name": level["label"], "value": level["customers"]} for level in pyramid],
        "pareto": {"points": [[p["customers"], p["revenue"]] for p in abc["pareto"]]},
        "rfm": {"cells": [[cell["f"] - 1, cell["r"] - 1, cell["customers"]] for cell in rfm["grid"]]},
        "portfolio": {"thresholds": portfolio["thresholds"], "series": [
            {"name": str(quadrant_labels[q]),
             "data": [[p["segment_growth"], p["growth"], p["revenue_12m"], p["name"]]
                      for p in portfolio["points"]
                      if p["quadrant"] == q and p["growth"] is not None and p["revenue_12m"] > 0]}
            for q in ("star", "ageing", "cautious", "drop")]},
    }


@login_required
@domain_errors_as_http
@require_POST
def value_recompute(request):
    if not permissions.can(request.user, "value_run", "write"):
        raise DjangoPermissionDenied(_("Your role cannot start a value run."))
    if services.value_run_start(actor=request.user) is not None:
        messages.success(request, _("Customer values recomputed."))
    else:
        messages.info(request, _("The value run has started; the figures change when it is done."))
    return redirect("segments:analysis")


# ---------------------------------------------------------------- customer page panel


@login_required
@domain_errors_as_http
@require_GET
def customer_value_panel(request, customer_id: int):
    """htmx fragment of the customer page: the customer's value, segments and tiered service."""
    value = selectors.value_get_for_user(user=request.user, customer_id=customer_id)
    snapshot = value["snapshot"]
    context = {"value": value, "snapshot": snapshot,
               "value_level": _label("value_level", getattr(snapshot, "value_level", None)),
               "rfm_segment": _label("rfm_segment", getattr(snapshot, "rfm_segment", None)),
               "portfolio": _label("portfolio", getattr(snapshot, "portfolio", None)),
               "segments": [{"id": s.pk, "name": segment_display_name(s)} for s in value["segments"]],
               "plan": value["service_plan"],
               "plan_level": _label("service_level", getattr(value["service_plan"], "service_level", None)),
               "plan_mode": _label("service_mode", getattr(value["service_plan"], "service_mode", None)),
               "is_key_account": bool(snapshot and snapshot.key_account_score >= value["key_account_threshold"]),
               "contribution_pct": f"{100 * snapshot.contribution_share:.3f}%" if snapshot else "",
               "criteria": _criteria(snapshot) if snapshot else []}
    return render(request, "segments/partials/_customer_value.html", context)


def _criteria(snapshot) -> list[tuple[str, int]]:
    return [(_("Share of profit"), snapshot.ka_profit), (_("Strategic importance"), snapshot.ka_strategic),
            (_("Impact of losing it"), snapshot.ka_loss), (_("Length and stability"), snapshot.ka_relationship),
            (_("Growth potential"), snapshot.ka_growth), (_("Time it takes"), snapshot.ka_time)]
