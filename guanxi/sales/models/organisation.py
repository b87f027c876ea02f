from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel


class Region(TimeStampedModel):
    """A sales region (区域), optionally inside a larger one (华东 → 上海)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales region")
        verbose_name_plural = _("sales regions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Outlet(TimeStampedModel):
    """A business outlet (营业厅) in a region."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="outlets")
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SalesChannel(TimeStampedModel):
    """A sales method or channel (销售方式): direct sales, outlet, telesales, partner, online…"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RepAssignment(TimeStampedModel):
    """Where a representative or manager works: their region and outlet (their team is on the user)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("representative"), on_delete=models.CASCADE,
                                related_name="sales_assignment")
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("representative's assignment")
        verbose_name_plural = _("representatives' assignments")

    def __str__(self):
        return f"{self.user}: {self.outlet or self.region or '-'}"
