"""Orders, contracts, installments, payments received, their allocations and refunds.

Money columns are yuan with two decimals. An order's `received` (net of refunds) and `outstanding`
are kept by the services under the order's row lock, so that receivables and ageing read one entry per
open order of a covering partial index instead of summing allocations; lines copy the order's date and
whether it counts as a sale, so a year's revenue by product is one index-only scan of the lines.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Contract(TimeStampedModel):
    """A sales contract (销售合同) with a customer; a renewal links the contract it renews."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("contract", "Draft")
        ACTIVE = "active", pgettext_lazy("contract", "Active")
        EXPIRED = "expired", pgettext_lazy("contract", "Expired")
        TERMINATED = "terminated", pgettext_lazy("contract", "Terminated")
        RENEWED = "renewed", pgettext_lazy("contract", "Renewed")

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    # No index of its own: (customer, starts_on) below serves it.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sales_contracts", db_index=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="sales_contracts")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    amount = models.DecimalField(_("contract amount"), **MONEY)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    renews = models.OneToOneField("self", verbose_name=_("renews"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="renewal")
    reminder_days = models.PositiveSmallIntegerField(_("renewal reminder (days before the end)"), default=30)
    reminded_at = models.DateTimeField(_("renewal reminder sent"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales contract")
        verbose_name_plural = _("sales contracts")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["customer", "-starts_on"], name="contract_customer"),
                   models.Index(fields=["status", "ends_on"], name="contract_status_end"),
                   models.Index(fields=["owner", "-starts_on"], name="contract_owner")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
                       models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="contract_ends_after_start")]

    def __str__(self):
        return f"{self.number} {self.title}"


class Order(TimeStampedModel):
    """A sales order (订单): draft → confirmed → delivered, or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("order", "Draft")
        CONFIRMED = "confirmed", pgettext_lazy("order", "Confirmed")
        DELIVERED = "delivered", pgettext_lazy("order", "Delivered")
        CANCELLED = "cancelled", pgettext_lazy("order", "Cancelled")

    number = models.CharField(_("order number"), max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sales_orders", db_index=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="sales_orders", db_index=False)
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    order_date = models.DateField(_("order date"))
    due_on = models.DateField(_("payment due on"))
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="orders")
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="orders")
    total = models.DecimalField(_("total"), **MONEY, default=0)
    received = models.DecimalField(_("received (net of refunds)"), **MONEY, default=0)
    outstanding = models.DecimalField(_("outstanding"), **MONEY, default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-order_date", "-id"], name="order_customer_date"),
            models.Index(fields=["owner", "-order_date", "-id"], name="order_owner_date"),
            models.Index(fields=["team", "-order_date", "-id"], name="order_team_date"),
            models.Index(fields=["-order_date", "-id"], name="order_date"),
            # Receivables and ageing read only the orders with money still to come, from this index alone
            # (index-only scans): in customer order for the largest debtors, whole for the buckets.
            models.Index(fields=["customer"], include=["due_on", "outstanding", "owner", "team"],
                         name="order_open_by_customer", condition=Q(outstanding__gt=0)),
        ]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative")]

    def __str__(self):
        return self.number

    @property
    def counts_as_sale(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.DELIVERED)


class OrderLine(models.Model):
    """One line of an order: a catalogue product, a quantity and the price agreed (list price less any
    discount); a serial number for a unit that carries a warranty."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    quantity = models.PositiveIntegerField(_("quantity"))
    list_price = models.DecimalField(_("list price"), **MONEY, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)
    serial = models.CharField(_("serial number"), max_length=50, blank=True)
    # Copies of the order's date and whether it counts as a sale (confirmed or delivered).
    order_date = models.DateField()
    is_sale = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["order_date"], include=["product", "line_total"], name="orderline_sale_date",
                                condition=Q(is_sale=True))]
        constraints = [models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_not_negative"),
                       models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} × {self.product_id}"

    @property
    def discount(self):
        return (self.list_price - self.unit_price) if self.list_price is not None else None


class Installment(models.Model):
    """One installment of a payment plan (付款计划): an amount due on a day, of an order or a contract."""

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="installments")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="installments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    received = models.DecimalField(_("received"), **MONEY, default=0)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_amount_positive"),
            models.CheckConstraint(condition=Q(order__isnull=False) ^ Q(contract__isnull=False),
                                   name="installment_of_order_or_contract"),
        ]

    def __str__(self):
        return f"{self.due_on} {self.amount}"


class Payment(TimeStampedModel):
    """A payment received (回款单). What is not allocated to orders is the customer's credit, and exists
    only when the payment was recorded as an overpayment."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank", pgettext_lazy("payment method", "Bank transfer")
        CASH = "cash", pgettext_lazy("payment method", "Cash")
        WECHAT = "wechat", pgettext_lazy("payment method", "WeChat Pay")
        ALIPAY = "alipay", pgettext_lazy("payment method", "Alipay")
        OTHER = "other", pgettext_lazy("payment method", "Other")

    number = models.CharField(_("receipt number"), max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sales_payments", db_index=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+", db_index=False)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.BANK_TRANSFER)
    is_overpayment = models.BooleanField(_("overpayment kept as credit"), default=False)
    unallocated = models.DecimalField(_("customer credit"), **MONEY, default=0)
    refunded = models.DecimalField(_("refunded"), **MONEY, default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["customer", "-received_on", "-id"], name="payment_customer"),
                   models.Index(fields=["owner", "-received_on", "-id"], name="payment_owner"),
                   models.Index(fields=["-received_on", "-id"], name="payment_date")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
                       models.CheckConstraint(condition=Q(unallocated__gte=0), name="payment_credit_not_negative")]

    def __str__(self):
        return self.number


class Allocation(models.Model):
    """Part of a payment applied to an order (and to one installment of its plan)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="allocations")
    installment = models.ForeignKey(Installment, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self):
        return f"{self.payment_id} → {self.order_id}: {self.amount}"


class Refund(TimeStampedModel):
    """Money paid back (退款) from a payment: from its credit, or against an order it was applied to."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), **MONEY)
    refunded_on = models.DateField(_("refunded on"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-refunded_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.payment_id}: {self.amount}"


class OrderBigDealAlert(models.Model):
    """An order's big-deal alert (大额业务提醒), once per order and amount crossed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="big_deal_alerts")
    threshold = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    alerted_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "threshold"], name="order_big_deal_alert_once")]

    def __str__(self):
        return f"{self.order_id} ≥ {self.threshold}"
