"""Data-mining workbench pages (数据挖掘工作台): the analyses and a guided form (kind, target, features,
seed and holdout), one analysis with its status while it runs, its quality figures and reasons as
ECharts charts, its customers (those the viewer may read, names masked) and saving part of it as a
segment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from guanxi.catalog.models import Category
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.views import domain_errors_as_http

from ..churn.selectors import customer_name_for
from ..permissions import permissions
from ..workbench import selectors
from ..workbench.catalogue import LIMITS, TARGETS, catalogue, feature_label

PER_PAGE = 50
FIELD_LABELS = {"name": _l("Name"), "kind": _l("Kind of analysis"), "target": _l("Target"),
                "target_option": _l("Product category"), "features": _l("Features"), "params.seed": _l("Seed"),
                "params.holdout": _l("Holdout share"), "params.horizon_days": _l("Horizon (days)"),
                "params.clusters": _l("Clusters")}


def _form_data(post) -> dict:
    params = {name: post.get(name) for name in LIMITS if post.get(name, "") != ""}
    data = {"name": post.get("name", ""), "kind": post.get("kind", ""), "target": post.get("target", ""),
            "features": post.getlist("features"), "params": params}
    if post.get("target_option"):
        data["target_option"] = post.get("target_option")
    return data


@login_required
@domain_errors_as_http
def workbench_page(request):
    permissions.require(request.user, "mining", "read")
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        from ..workbench import services  # numpy, pandas and LightGBM load on first use

        values = _form_data(request.POST)
        try:
            analysis = services.mining_analysis_create(actor=request.user, data=values)
        except ValidationFailed as exc:
            errors = {str(FIELD_LABELS.get(k, k)): v for k, v in exc.fields.items()} or {"": exc.message}
            status = 422
        else:
            return redirect("analytics:workbench_analysis", analysis_id=analysis.pk)
    analyses = list(selectors.mining_analysis_list(user=request.user)[:50])
    return render(request, "analytics/workbench_page.html", {
        "analyses": analyses, "catalogue": catalogue(), "errors": errors, "values": values,
        "categories": Category.objects.order_by("code").values_list("code", "name"),
        "can_run": permissions.can(request.user, "mining", "write")}, status=status)


def _chart(analysis) -> dict | None:
    if analysis.status != "done":
        return None
    m, r = analysis.metrics, analysis.reasons
    chart = {"kind": analysis.kind, "labels": {
        "lift": _("Lift"), "rate": _("Rate of the target"), "decile": _("Score decile"), "shap": _("Mean |SHAP|"),
        "gain": _("Share of gain"), "actual": _("Actual"), "predicted": _("Predicted"), "size": _("Customers"),
        "cluster": _("Cluster"), "z": _("Standard deviations from the average")}}
    if "importance" in r:
        rows = r["importance"][:12][::-1]
        chart["importance"] = {"features": [feature_label(i["feature"]) for i in rows],
                               "shap": [i["mean_abs_shap"] for i in rows], "gain": [i["gain_share"] for i in rows]}
    if "deciles" in m:
        chart["deciles"] = {"x": [d["decile"] for d in m["deciles"]], "lift": [d["lift"] for d in m["deciles"]],
                            "rate": [d["rate"] for d in m["deciles"]]}
    if "scatter" in m:
        chart["scatter"] = m["scatter"]
    if "clusters" in r:
        features = list(r["clusters"][0]["z"]) if r["clusters"] else []
        chart["clusters"] = {
            "names": [_("Cluster %(n)d") % {"n": p["cluster"]} for p in r["clusters"]],
            "sizes": [p["size"] for p in r["clusters"]], "features": [feature_label(f) for f in features],
            "z": [[j, i, p["z"][f]] for i, p in enumerate(r["clusters"]) for j, f in enumerate(features)]}
    return chart


@login_required
@domain_errors_as_http
def workbench_analysis(request, analysis_id: int):
    analysis = selectors.mining_analysis_get_for_user(user=request.user, analysis_id=analysis_id)
    label = request.GET.get("label", "")
    label = int(label) if label.isdigit() else None
    page = keyset_page(selectors.mining_prediction_list(user=request.user, analysis=analysis, label=label),
                       cursor=request.GET.get("cursor", "")[:500], limit=PER_PAGE)
    rows = [{"p": p, "name": customer_name_for(request.user, p.customer)} for p in page.rows]
    reasons = analysis.reasons or {}
    clusters = [{**p, "distinct": [{"label": feature_label(d["feature"]), "z": d["z"]} for d in p["distinct"]]}
                for p in reasons.get("clusters", [])]
    importance = [{**i, "label": feature_label(i["feature"])} for i in reasons.get("importance", [])]
    return render(request, "analytics/workbench_analysis.html", {
        "analysis": analysis, "rows": rows,
        "target_label": str(TARGETS[analysis.target].label) if analysis.target in TARGETS else "",
        "next_cursor": page.next_cursor, "label": label,
        "chart": _chart(analysis), "clusters": clusters, "importance": importance,
        "features": [feature_label(f) for f in analysis.features],
        "labels": sorted(int(k) for k in analysis.metrics.get("label_counts", {})),
        "selections": list(selectors.mining_selection_list(analysis=analysis)),
        "running": analysis.status in ("queued", "running"),
        "can_save": permissions.can(request.user, "mining", "write") and analysis.status == "done"})


@login_required
@require_POST
@domain_errors_as_http
def workbench_segment_save(request, analysis_id: int):
    from ..workbench import services

    analysis = selectors.mining_analysis_get_for_user(user=request.user, analysis_id=analysis_id)
    value = request.POST.get("value", "")
    try:
        segment = services.mining_segment_save(actor=request.user, analysis=analysis,
                                               kind=request.POST.get("kind", ""),
                                               value=int(value) if value.isdigit() else -1,
                                               name=request.POST.get("name", ""))
    except (ValidationFailed, Conflict) as exc:
        reasons = "；".join(f"{k}: {v}" for k, v in (getattr(exc, "fields", None) or {}).items())
        messages.error(request, f"{exc.message} {reasons}".strip())
        return redirect("analytics:workbench_analysis", analysis_id=analysis.pk)
    messages.success(request, _("Segment “%(name)s” saved with %(n)d customers.") % {
        "name": segment.name, "n": segment.member_count or 0})
    return redirect("segments:detail", segment_id=segment.pk)
