from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import InteractionChannel, TransactionKind
from .customers import Customer


class Transaction(models.Model):
    """One money event with a customer (交易记录): an order, a bill, a payment or a refund.

    Append-only like interactions and kept at least three years; the value, RFM and CLV
    figures are computed from it. Amounts are positive; the kind says which way money moved.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transactions",
                                 db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=TransactionKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=10, choices=InteractionChannel.choices, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    team = models.ForeignKey("accounts.Team", verbose_name=_("department"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True,
                                   help_text=_("the id in the source system, e.g. the billing system's bill number"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="transaction_customer_time"),
            models.Index(fields=["occurred_at"], name="transaction_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.occurred_at:%Y-%m-%d}"
