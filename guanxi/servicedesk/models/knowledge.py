from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import ArticleStatus
from .tickets import Ticket


class KnowledgeCategory(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="kb_category_unique_in_parent")]

    def __str__(self):
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class Article(TimeStampedModel):
    """A solution (解决方案) agents search while serving. Each publication is a numbered version;
    `search_tokens` holds the jieba tokens the full-text index reads."""

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("body"))
    category = models.ForeignKey(KnowledgeCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="articles")
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    search_tokens = models.TextField(editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_tokens", "usage_count"])

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-usage_count", "title"]
        indexes = [models.Index(fields=["status", "-usage_count"], name="article_status_usage")]

    def __str__(self):
        return self.title


class ArticleVersion(models.Model):
    """The text of an article as it was published at one version."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("body"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class ArticleUse(models.Model):
    """An agent used an article while serving a case."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="article_uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(_("used at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="article_used_once_per_case")]

    def __str__(self):
        return f"{self.article_id} @ {self.ticket_id}"
