"""`/api/v1/knowledge/articles`: the knowledge base (解决方案) and suggestions for a case."""

from django.http import HttpRequest
from ninja import Query, Status

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.routers import Router

from ..schemas.knowledge import ArticleIn, ArticleOut, ArticleReviewIn, ArticleUseIn
from ..schemas.tickets import ref_out
from ..selectors import knowledge as knowledge_selectors
from ..selectors import tickets as ticket_selectors
from ..services import knowledge as knowledge_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


def _article_out(article, score: float | None = None) -> dict:
    return {"id": article.pk, "title": article.title, "body": article.body, "category": ref_out(article.category),
            "status": article.status, "version": article.version, "published_at": article.published_at,
            "usage_count": article.usage_count, "score": score}


@router.get("/knowledge/articles", response=PageOut[ArticleOut])
def list_articles(request: HttpRequest, page: Query[PageParams], q: str = ""):
    """Without `q`: the articles the caller may read, most used first. With `q`: Chinese full-text
    search over published articles, best match first."""
    if q.strip():
        found = knowledge_selectors.article_search(query=q[:200], limit=page.page_size)
        return {"items": [_article_out(a, s) for a, s in found], "count": len(found), "count_is_exact": True,
                "page": 1, "page_size": page.page_size}
    return paginate(knowledge_selectors.article_list(user=request.user, ordering="most_used"), page, _article_out)


@router.post("/knowledge/articles", response={201: ArticleOut})
def create_article(request: HttpRequest, payload: ArticleIn):
    return Status(201, _article_out(knowledge_services.article_create(actor=request.user, **payload.dict())))


@router.get("/knowledge/articles/{int:article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: int):
    return _article_out(knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id))


@router.put("/knowledge/articles/{int:article_id}", response=ArticleOut)
def edit_article(request: HttpRequest, article_id: int, payload: ArticleIn):
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    return _article_out(knowledge_services.article_edit(actor=request.user, article=article, **payload.dict()))


@router.post("/knowledge/articles/{int:article_id}/submit", response=ArticleOut)
def submit_article(request: HttpRequest, article_id: int):
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    return _article_out(knowledge_services.article_submit(actor=request.user, article=article))


@router.post("/knowledge/articles/{int:article_id}/review", response=ArticleOut)
def review_article(request: HttpRequest, article_id: int, payload: ArticleReviewIn):
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    return _article_out(knowledge_services.article_review(actor=request.user, article=article,
                                                          approve=payload.approve, note=payload.note))


@router.post("/knowledge/articles/{int:article_id}/use", response=ArticleOut)
def use_article(request: HttpRequest, article_id: int, payload: ArticleUseIn):
    article = knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = None
    if payload.ticket is not None:
        ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=payload.ticket)
    knowledge_services.article_use(actor=request.user, article=article, ticket=ticket)
    return _article_out(knowledge_selectors.article_get_for_user(user=request.user, article_id=article_id))


@router.get("/tickets/{int:ticket_id}/suggestions", response=list[ArticleOut])
def list_ticket_suggestions(request: HttpRequest, ticket_id: int):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return [_article_out(a, s) for a, s in knowledge_selectors.article_suggestions(ticket=ticket)]
