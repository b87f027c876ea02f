"""Reads of the knowledge base (解决方案): search, suggestions, the articles a user may read."""

from django.db.models import QuerySet

from guanxi.accounts.models import User
from guanxi.core.chinese_text import tokens
from guanxi.core.errors import NotFound

from .. import permissions
from ..enums import ArticleStatus
from ..knowledge_index import ranked_article_ids
from ..models import Article, Ticket


def article_search(*, query: str, limit: int = 20) -> list[tuple[Article, float]]:
    """Published articles matching any word of `query` (jieba-tokenised), best first."""
    terms = list(dict.fromkeys(tokens(query)))[:30]
    ranked = ranked_article_ids(terms, limit=limit * 3)
    published = Article.objects.filter(pk__in=[pk for pk, _ in ranked], status=ArticleStatus.PUBLISHED)
    by_id = {a.pk: a for a in published.select_related("category")}
    return [(by_id[pk], score) for pk, score in ranked if pk in by_id][:limit]


def article_suggestions(*, ticket: Ticket, limit: int = 5) -> list[tuple[Article, float]]:
    """Articles that fit a case, from its subject and description."""
    return article_search(query=f"{ticket.subject} {ticket.description}", limit=limit)


def article_list(*, user: User, ordering: str = "", published_only: bool = False) -> QuerySet[Article]:
    """Published articles for everyone; drafts and reviews for their authors and the reviewers
    (permissions.py). `ordering="most_used"`: most used first."""
    qs = Article.objects.select_related("category", "author")
    condition = permissions.article_read_condition(user)
    qs = qs if condition is None else qs.filter(condition)
    if published_only:
        qs = qs.filter(status=ArticleStatus.PUBLISHED)
    return qs.order_by("-usage_count", "id") if ordering == "most_used" else qs


def article_get_for_user(*, user: User, article_id: int) -> Article:
    article = article_list(user=user).filter(pk=article_id).first()
    if article is None:
        raise NotFound("Article not found.")
    return article
