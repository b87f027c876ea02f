"""三包 coverage of catalogue parts, serials, sales, repairs and exchanges, the 三包 rules as data,
and the decisions taken."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .engine import ProofKind as EngineProofKind
from .engine import Remedy as EngineRemedy


class ProofKind(models.TextChoices):
    INVOICE = EngineProofKind.INVOICE.value, _("Invoice")
    OTHER_PROOF = EngineProofKind.OTHER_PROOF.value, _("Invoice stub or other proof")
    NONE = EngineProofKind.NONE.value, _("No proof")


class Remedy(models.TextChoices):
    REFUND = EngineRemedy.REFUND.value, _("Refund")
    EXCHANGE = EngineRemedy.EXCHANGE.value, _("Exchange")
    REPAIR = EngineRemedy.REPAIR.value, _("Free repair")
    LOANER = EngineRemedy.LOANER.value, _("Loaner")
    REFUND_WITH_DEPRECIATION = EngineRemedy.REFUND_WITH_DEPRECIATION.value, _("Refund less depreciation")
    NOT_COVERED = EngineRemedy.NOT_COVERED.value, _("Not covered (paid repair)")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class WarrantyPolicy(TimeStampedModel):
    """The warranty period of one kind of part (部件三包有效期): main unit 主机, charger 充电器,
    battery 电池, wired headset 有线耳机 …"""

    code = models.SlugField(_("part code"), max_length=30, unique=True)
    name = models.CharField(_("part name"), max_length=50)
    period_value = models.PositiveSmallIntegerField(_("warranty period"), validators=[MinValueValidator(1)])
    period_unit = models.CharField(_("unit"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.MONTHS)
    is_main_unit = models.BooleanField(
        _("main unit"), default=False,
        help_text=_("a loaner and an exchange are owed when it stays too long in repair"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warranty policy")
        verbose_name_plural = _("warranty policies")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(period_value__gt=0), name="warranty_period_positive")]

    def __str__(self):
        return f"{self.name} ({self.period_value} {self.get_period_unit_display()})"


class WarrantyRule(TimeStampedModel):
    """One number of the 三包 rules (三包规则参数), e.g. the refund window in days; the engine reads
    them by code."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warranty rule")
        verbose_name_plural = _("warranty rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="warranty_rule_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.name}: {self.value} {self.unit}"


class Part(TimeStampedModel):
    """The 三包 coverage of one part of a catalogue product (部件三包): which policy's period covers
    it. The part itself (its product, code and name) is the catalogue's; repairs, exchanges and
    decisions name this coverage."""

    component = models.OneToOneField("catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT,
                                     related_name="coverage")
    policy = models.ForeignKey(WarrantyPolicy, verbose_name=_("warranty policy"), on_delete=models.PROTECT,
                               related_name="parts")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["component__product", "policy__code"]

    def __str__(self):
        return f"{self.component.product.model_code} / {self.policy.name}"

    @property
    def code(self) -> str:
        return self.policy.code

    @property
    def product(self):
        return self.component.product

    @property
    def product_id(self) -> int:
        return self.component.product_id


class SerialNumber(TimeStampedModel):
    """One unit of a product by its serial number (串号/序列号)."""

    serial = models.CharField(_("serial number"), max_length=50, unique=True)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="serials")
    factory_date = models.DateField(_("factory date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("serial number")
        verbose_name_plural = _("serial numbers")
        ordering = ["serial"]

    def __str__(self):
        return self.serial


class ProductSale(TimeStampedModel):
    """The sale of one unit to a customer (销售记录), with the proof that starts the period."""

    serial = models.ForeignKey(SerialNumber, verbose_name=_("serial number"), on_delete=models.PROTECT,
                               related_name="sales")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="product_sales")
    sold_at = models.DateField(_("sold on"))
    proof_kind = models.CharField(_("proof of purchase"), max_length=20, choices=ProofKind.choices,
                                  default=ProofKind.INVOICE)
    invoice_date = models.DateField(_("invoice or proof date"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    is_gift = models.BooleanField(_("gift"), default=False)
    sold_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product sale")
        verbose_name_plural = _("product sales")
        ordering = ["-sold_at", "-id"]
        indexes = [models.Index(fields=["serial", "-sold_at"], name="sale_serial_recent")]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="sale_price_not_negative")]

    def __str__(self):
        return f"{self.serial} → {self.customer_id} ({self.sold_at})"


class RepairRecord(TimeStampedModel):
    """A repair of one part of a serial (维修记录), usually the work of a fault case."""

    class Outcome(models.TextChoices):
        REPAIRED = "repaired", _("Repaired")
        NOT_REPAIRED = "not_repaired", _("Could not be repaired")

    serial = models.ForeignKey(SerialNumber, verbose_name=_("serial number"), on_delete=models.PROTECT,
                               related_name="repairs")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="repairs")
    started_at = models.DateField(_("in repair since"))
    finished_at = models.DateField(_("repaired on"), null=True, blank=True)
    ticket = models.ForeignKey("servicedesk.Ticket", verbose_name=_("case"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="repairs")
    outcome = models.CharField(pgettext_lazy("repair", "outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repair record")
        verbose_name_plural = _("repair records")
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__isnull=True) | models.Q(finished_at__gte=models.F("started_at")),
                name="repair_finishes_after_start",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class ExchangeRecord(TimeStampedModel):
    """An exchange (换货) of one part or, without a part, of the whole product; it restarts the
    period."""

    sale = models.ForeignKey(ProductSale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="exchanges")
    part = models.ForeignKey(Part, verbose_name=_("part"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="exchanges", help_text=_("empty: the whole product"))
    exchanged_on = models.DateField(_("exchanged on"))
    new_serial = models.CharField(_("new serial number"), max_length=50, blank=True)
    decision = models.ForeignKey("WarrantyDecision", verbose_name=_("decision"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange record")
        verbose_name_plural = _("exchange records")
        ordering = ["exchanged_on", "id"]


class WarrantyDecision(TimeStampedModel):
    """The answer to one warranty request (三包判定): what was asked, the remedy, the money, the
    rules applied and the end of the period. Written once, never edited."""

    sale = models.ForeignKey(ProductSale, verbose_name=_("sale"), on_delete=models.PROTECT, related_name="decisions")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="decisions")
    fault_date = models.DateField(_("fault date"))
    decided_on = models.DateField(_("decided on"))
    customer_wants = models.CharField(_("customer wants"), max_length=30, choices=Remedy.choices, blank=True)
    stock_available = models.BooleanField(_("same model in stock"))
    inputs = models.JSONField(_("inputs"), default=dict)
    remedy = models.CharField(_("remedy"), max_length=30, choices=Remedy.choices)
    allowed = models.JSONField(_("allowed remedies"), default=list)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    rules = models.JSONField(_("rules applied"), default=list)
    start_date = models.DateField(_("period start"))
    end_date = models.DateField(_("period end"))
    is_in_period = models.BooleanField(_("inside the period"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("warranty decision")
        verbose_name_plural = _("warranty decisions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sale", "-created_at"], name="decision_sale_recent")]

    def __str__(self):
        return f"{self.sale_id}/{self.part_id} {self.fault_date}: {self.remedy}"
