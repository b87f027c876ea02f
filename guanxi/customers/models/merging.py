"""Merges of duplicate customers into one golden record (客户合并), kept so that they can be undone."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .customers import Customer
from .dedupe import MatchCandidate


class CustomerMerge(models.Model):
    """One merge of `merged` into `survivor` (客户合并记录) and everything needed to undo it.

    `survivor_before` / `merged_before` are the two records' fields before the merge and
    `survivor_after` the golden values the merge wrote; `moved` lists, per relation
    ("app_label.model.field"), the ids of the rows re-pointed to the survivor, `kept` the rows
    left on the merged record because the survivor already had one (one-to-one, unique), and
    `added` the rows the merge created (the merged record's phone and e-mail kept as contact
    points of the survivor) and the merged record's default address it made an ordinary one.
    `candidates` records the duplicate pairs the merge decided or re-pointed. An undone merge keeps
    its row, with `undone_at` / `undone_by` set.
    """

    survivor = models.ForeignKey(Customer, verbose_name=_("survivor"), on_delete=models.PROTECT,
                                 related_name="merges_absorbed")
    merged = models.ForeignKey(Customer, verbose_name=_("merged record"), on_delete=models.PROTECT,
                               related_name="merges_as_merged")
    candidate = models.ForeignKey(MatchCandidate, verbose_name=_("duplicate candidate"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="merges")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), db_index=True)
    survivor_before = models.JSONField(_("survivor before"), encoder=DjangoJSONEncoder)
    survivor_after = models.JSONField(_("golden record"), encoder=DjangoJSONEncoder)
    merged_before = models.JSONField(_("merged record before"), encoder=DjangoJSONEncoder)
    moved = models.JSONField(_("rows moved"), default=dict)
    kept = models.JSONField(_("rows left on the merged record"), default=dict)
    added = models.JSONField(_("rows added"), default=dict)
    candidates = models.JSONField(_("duplicate pairs changed"), default=dict)
    field_choices = models.JSONField(_("field choices"), default=dict)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("undone by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-merged_at"], name="customermerge_survivor"),
            models.Index(fields=["merged", "-merged_at"], name="customermerge_merged"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(survivor=models.F("merged")),
                                   name="customermerge_not_self"),
            # A record is merged away at most once at a time.
            models.UniqueConstraint(fields=["merged"], condition=models.Q(undone_at__isnull=True),
                                    name="customermerge_one_active_per_merged"),
        ]

    def __str__(self):
        return f"{self.merged_id} → {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
