from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import InteractionChannel, TransactionKind
from .customers import Customer


class Transaction(models.Model):
    """One money event with a customer (交易记录): an order, a bill, a payment or a refund.

    Append-only like interactions and kept at least three years; the value, RFM and CLV
    figures are computed from it. Amounts are positive; the kind says which way money moved.
    Written by `transaction_record` / `transactions_import` (idempotent on `external_id`).

    Scale (10 million interactions, millions of transactions): a plain table with a
    (customer, occurred_at) b-tree, not monthly range partitions. The 360 reads one customer's
    newest 50 rows with no time bound — one index range scan here, one probe per monthly
    partition there (36+ for three years), measured slower for the typical customer with tens of
    rows; PostgreSQL also needs the partition key in every unique index (no global `external_id`
    idempotency) and in every foreign key to the table (servicedesk's Call references
    Interaction). On PostgreSQL the customer index carries (kind, amount) so that the billing
    summary is an index-only scan. Retention deletes rows older than HISTORY_RETENTION_YEARS
    (≥ 3) in batches through the `occurred_at` index (`guanxi history_retention`).
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
    # Unique where set (a partial unique index).
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True,
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
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=models.Q(external_id__isnull=False),
                                    name="transaction_external_id_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transaction_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.occurred_at:%Y-%m-%d}"
