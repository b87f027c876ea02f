"""Churn early warning pages: the model's quality for analysts and managers (holdout AUC, lift by
decile and reliability curve in ECharts, the trainings with refusals' reasons), the at-risk list of
the customers the viewer may read, and one customer's risk with its reasons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.pagination import keyset_page
from guanxi.core.views import domain_errors_as_http

from ..churn import selectors
from ..permissions import permissions

PER_PAGE = 50


@login_required
@domain_errors_as_http
def churn_overview(request):
    can_see_model = permissions.can(request.user, "churn_model", "read")
    active = selectors.churn_model_active() if can_see_model else None
    models = list(selectors.churn_model_list(user=request.user)[:10]) if can_see_model else []
    page = keyset_page(selectors.churn_score_list(user=request.user), cursor=request.GET.get("cursor", "")[:500],
                       limit=PER_PAGE)
    rows = [{"score": s, "name": selectors.customer_name_for(request.user, s.customer),
             "reasons": selectors.reasons_in_words(s)} for s in page.rows]
    chart = None
    if active is not None:
        m = active.metrics
        chart = {"deciles": [d["decile"] for d in m["deciles"]], "lift": [d["lift"] for d in m["deciles"]],
                 "rate": [d["rate"] for d in m["deciles"]],
                 "reliability": [[r["predicted"], r["observed"]] for r in m["reliability"]],
                 "labels": {"lift": _("Lift"), "rate": _("Churn rate"), "decile": _("Risk decile"),
                            "predicted": _("Predicted"), "observed": _("Observed"), "ideal": _("Ideal")}}
    return render(request, "analytics/churn_overview.html", {
        "active": active, "models": models, "rows": rows, "next_cursor": page.next_cursor, "chart": chart,
        "can_train": permissions.can(request.user, "churn_model", "write")})


@login_required
@require_POST
@domain_errors_as_http
def churn_train(request):
    from ..churn import services  # numpy, pandas and LightGBM load when a model is trained, not at start-up

    model = services.churn_model_train(actor=request.user)
    if model.reason:
        messages.error(request, model.reason)
    else:
        messages.success(request, _("Churn model v%(version)d trained: holdout AUC %(auc).3f.") % {
            "version": model.version, "auc": model.metrics["auc"]})
    return redirect("analytics:churn")


@login_required
@domain_errors_as_http
def churn_customer(request, customer_id: int):
    score = selectors.churn_score_get_for_user(user=request.user, customer_id=customer_id)
    return render(request, "analytics/churn_customer.html", {
        "score": score, "name": selectors.customer_name_for(request.user, score.customer),
        "reasons": selectors.reasons_in_words(score)})
