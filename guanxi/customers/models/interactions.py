from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import Direction, InteractionChannel
from .customers import Customer


class Interaction(models.Model):
    """One contact with a customer (客户接触记录) on any channel, kept at least three years.

    Append-only history: corrections are new rows, so there is no audit trail of edits. The
    (customer, occurred_at) index keeps one customer's timeline an index range scan however
    large the table grows; the table is deliberately not partitioned (see `Transaction` and the
    README, "History at scale"): the 360 reads one customer's newest rows, which a b-tree finds in
    O(log n), while monthly partitions would make that unbounded-in-time read probe every
    partition, forbid the call center's foreign key to this table and the global uniqueness of
    `external_id`. Rows older than HISTORY_RETENTION_YEARS (at least 3) go with
    `guanxi history_retention`, through the `occurred_at` index.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="interactions",
                                 db_index=False)
    channel = models.CharField(_("channel"), max_length=10, choices=InteractionChannel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.INBOUND)
    occurred_at = models.DateTimeField(_("when"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    team = models.ForeignKey("accounts.Team", verbose_name=_("department"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    # Unique where set (a partial unique index: most contacts have no outside id).
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True,
                                   help_text=_("the id in the source system, e.g. the call center's call id"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time"),
            models.Index(fields=["occurred_at"], name="interaction_time"),  # retention, period reports
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=models.Q(external_id__isnull=False),
                                    name="interaction_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
