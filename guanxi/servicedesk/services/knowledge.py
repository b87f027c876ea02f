"""Knowledge base (解决方案): write, review, publish as numbered versions, record use."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guanxi.accounts.access import user_of
from guanxi.core.chinese_text import token_string
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed

from .. import permissions
from ..enums import ArticleStatus
from ..models import Article, ArticleUse, ArticleVersion, KnowledgeCategory, Ticket


def _clean(title: str, body: str, category) -> tuple[str, str, KnowledgeCategory | None]:
    errors = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "required, at most 200 characters"
    if not body or len(body) > 100_000:
        errors["body"] = "required, at most 100000 characters"
    if category is not None and not isinstance(category, KnowledgeCategory):
        category = KnowledgeCategory.objects.filter(pk=category).first()
        if category is None:
            errors["category"] = "unknown category"
    if errors:
        raise ValidationFailed(fields=errors)
    return title, body, category


def _index(article: Article) -> None:
    # The title counts twice so that title words rank above body words.
    article.search_tokens = token_string(f"{article.title} {article.title} {article.body}")


@transaction.atomic
def article_create(*, actor, title: str, body: str, category=None) -> Article:
    """A draft by `actor` (roles that write articles), searchable once published."""
    permissions.require(actor, "article", "write", message="Your role cannot write knowledge articles.")
    title, body, category = _clean(title, body, category)
    article = Article(title=title, body=body, category=category, author=user_of(actor), version=0)
    _index(article)
    article._history_user = user_of(actor)
    article.save()
    return article


@transaction.atomic
def article_edit(*, actor, article: Article, title: str, body: str, category=None) -> Article:
    """Edit the working copy; a published article goes back to draft until reviewed again, and
    its last published version stays readable in the version list."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    permissions.require(actor, "article", "write", allowed=permissions.can_edit_article(user=actor, article=article),
                        message="Only the author or a reviewer edits this article.")
    if article.status == ArticleStatus.ARCHIVED:
        raise Conflict("Archived articles cannot be edited.", code="archived")
    article.title, article.body, article.category = _clean(title, body, category)
    article.status = ArticleStatus.DRAFT
    _index(article)
    article._history_user = user_of(actor)
    article.save()
    return article


@transaction.atomic
def article_submit(*, actor, article: Article) -> Article:
    """Send a draft for review: its author or a reviewer."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    permissions.require(actor, "article", "write", allowed=permissions.can_edit_article(user=actor, article=article),
                        message="Only the author submits an article.")
    if article.status != ArticleStatus.DRAFT:
        raise Conflict("Only drafts can be submitted for review.", code="invalid_transition")
    article.status = ArticleStatus.IN_REVIEW
    article._history_user = user_of(actor)
    article.save()
    return article


@transaction.atomic
def article_review(*, actor, article: Article, approve: bool, note: str = "") -> Article:
    """Approve (publish as the next version) or send back to draft. Authors do not review
    their own articles."""
    permissions.require(actor, "article", "configure",
                        message="Only team leads, service managers and administrators review articles.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != ArticleStatus.IN_REVIEW:
        raise Conflict("This article is not waiting for review.", code="invalid_transition")
    if article.author_id is not None and article.author_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied("Another person must review your article.")
    article.reviewer = user_of(actor)
    if approve:
        article.version += 1
        article.status, article.published_at = ArticleStatus.PUBLISHED, timezone.now()
        ArticleVersion.objects.create(article=article, version=article.version, title=article.title,
                                      body=article.body, author=article.author, reviewer=user_of(actor),
                                      published_at=article.published_at)
    else:
        article.status = ArticleStatus.DRAFT
    article._history_user = user_of(actor)
    article._change_reason = note[:100] or None
    article.save()
    return article


@transaction.atomic
def article_archive(*, actor, article: Article) -> Article:
    permissions.require(actor, "article", "configure", message="Only reviewers archive articles.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.status = ArticleStatus.ARCHIVED
    article._history_user = user_of(actor)
    article.save()
    return article


@transaction.atomic
def article_use(*, actor, article: Article, ticket: Ticket | None = None) -> bool:
    """Record that an article helped on a case the actor may read; counted once per case. Returns
    whether it counted."""
    permissions.require(actor, "article", "read")
    if ticket is not None:
        permissions.require(actor, "ticket", "read", allowed=permissions.can_read_ticket(user=actor, ticket=ticket))
    if article.status != ArticleStatus.PUBLISHED:
        raise Conflict("Only published articles can be used.", code="not_published")
    try:
        with transaction.atomic():
            ArticleUse.objects.create(article=article, ticket=ticket, user=user_of(actor))
    except IntegrityError:
        return False
    Article.objects.filter(pk=article.pk).update(usage_count=F("usage_count") + 1)
    return True
