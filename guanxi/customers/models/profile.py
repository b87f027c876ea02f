from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import AddressKind, ContactPointKind, HoldingStatus
from .customers import Customer


class Contact(TimeStampedModel):
    """A person at a customer (联系人); for organisations, the key people (关键人)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=50, blank=True)
    is_key_person = models.BooleanField(_("key person"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_key_person", "name"]

    def __str__(self):
        return self.name


class ContactPoint(TimeStampedModel):
    """A way to reach a customer or one of its contacts; `normalized` is what search matches."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="contact_points"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactPointKind.choices)
    value = models.CharField(_("value"), max_length=254)
    normalized = models.CharField(max_length=254, editable=False)
    label = models.CharField(_("label"), max_length=30, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    # The audit rows are read by the record they belong to and by date, never by value.
    history = HistoricalRecords(no_db_index=["contact", "created_at", "normalized"])

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["-is_primary", "kind", "id"]
        # One pattern-ops b-tree serves both equality and prefix (LIKE 'x%') look-ups.
        indexes = [models.Index(fields=["normalized"], name="contactpoint_normalized_ops",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class Address(TimeStampedModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=20, choices=AddressKind.choices)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    history = HistoricalRecords(no_db_index=["created_at"])

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]
        indexes = [models.Index(fields=["province", "city", "district"], name="address_region")]
        constraints = [models.UniqueConstraint(fields=["customer"], condition=models.Q(is_default=True),
                                               name="address_one_default_per_customer")]

    def __str__(self):
        return f"{self.province}{self.city}{self.district}{self.street}"

    @property
    def region(self) -> str:
        return f"{self.province}{self.city}{self.district}"


class Holding(TimeStampedModel):
    """A product or service the customer holds (业务档案: 已订购产品与服务)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="holdings")
    product = models.CharField(_("product or service"), max_length=100)
    category = models.CharField(_("category"), max_length=50, blank=True)
    started_on = models.DateField(_("since"), null=True, blank=True)
    monthly_fee = models.DecimalField(_("monthly fee"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=HoldingStatus.choices, default=HoldingStatus.ACTIVE
    )
    is_competitor = models.BooleanField(_("competitor's product"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["status", "-started_on"]

    def __str__(self):
        return self.product
