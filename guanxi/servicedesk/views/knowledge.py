"""Knowledge base pages (解决方案)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict
from guanxi.core.views import domain_errors_as_http

from ..selectors import knowledge as knowledge_selectors
from ..selectors import tickets as ticket_selectors
from ..services import knowledge as knowledge_services
from .tickets import conflict_message


@login_required
def knowledge(request):
    """The knowledge base (解决方案): Chinese full-text search over published articles, or the
    most used ones."""
    query = request.GET.get("q", "").strip()[:200]
    if query:
        articles = [article for article, _ in knowledge_selectors.article_search(query=query, limit=30)]
    else:
        articles = list(knowledge_selectors.article_list(user=request.user, published_only=True)[:30])
    return render(request, "servicedesk/knowledge.html", {"articles": articles, "query": query})


@login_required
@domain_errors_as_http
def article_detail(request, article_id: int):
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = None
    if request.GET.get("ticket", "").isdigit():
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=int(request.GET["ticket"]))
    return render(request, "servicedesk/article_detail.html",
                  {"article": article, "ticket": ticket, "versions": article.versions.all()[:10]})


@login_required
@domain_errors_as_http
@require_POST
def article_use(request, article_id: int, ticket_id: int):
    """The agent used the article on the case: counted once per case."""
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    try:
        knowledge_services.article_use(actor=request.user, article=article, ticket=ticket)
    except Conflict as exc:
        messages.error(request, conflict_message(exc))
    else:
        messages.success(request, _("Recorded: the article helped on this case."))
    return redirect("servicedesk:detail", ticket_id=ticket.pk)
