"""Categories, products and services, their list prices over time and their parts."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel


class Kind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")
    PLAN = "plan", _("Plan")


class PriceUnit(models.TextChoices):
    ONE_OFF = "one_off", _("one-off")
    MONTHLY = "monthly", _("per month")


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY (yuan)")


class Category(TimeStampedModel):
    """A node of the category tree (产品分类): 终端 › 手机, 家庭业务 › 宽带 …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Product(TimeStampedModel):
    """One thing the company sells (产品/服务): a device model, a service or a plan. `brand` is the
    maker's brand (华星, 华为 …), not the subscriber brand customers belong to (全球通 …)."""

    model_code = models.CharField(_("model code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    brand = models.CharField(_("brand"), max_length=50, blank=True, db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products")
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["model_code"]

    def __str__(self):
        return f"{self.model_code} {self.name}"


class Price(TimeStampedModel):
    """A list price (目录价) from a day on; a change adds a row, so earlier prices stay."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    unit = models.CharField(_("price unit"), max_length=10, choices=PriceUnit.choices, default=PriceUnit.ONE_OFF)
    effective_from = models.DateField(_("effective from"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["product", "unit", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="catalog_price_not_negative"),
            models.UniqueConstraint(fields=["product", "unit", "effective_from"], name="catalog_price_once_a_day"),
        ]

    def __str__(self):
        return f"{self.product_id}: {self.amount} {self.currency} {self.unit} from {self.effective_from}"


class Part(TimeStampedModel):
    """A component of a product (部件): main unit, screen, battery, charger, set-top box …"""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="parts")
    code = models.SlugField(_("part code"), max_length=30)
    name = models.CharField(_("part name"), max_length=50)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["product", "code"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="catalog_part_once_per_product")]

    def __str__(self):
        return f"{self.product.model_code} / {self.name}"
