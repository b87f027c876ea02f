from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import Direction, InteractionChannel
from .customers import Customer


class Interaction(models.Model):
    """One contact with a customer (客户接触记录) on any channel, kept at least three years.

    Append-only history: corrections are new rows, so there is no audit trail of edits. The
    (customer, occurred_at) index keeps one customer's timeline an index range scan however
    large the table grows.
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
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True,
                                   help_text=_("the id in the source system, e.g. the call center's call id"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
