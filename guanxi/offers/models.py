"""The model registry of the next-best offer (推荐模型) and the agents' feedback on offers (推荐反馈)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.customers.models import Customer

from .enums import Algorithm, ModelStatus, Outcome


class OfferModel(models.Model):
    """One training of the next-best-offer model (推荐模型): its version, the data it saw, its
    measured hit rates and the fitted parameters (a NumPy archive in `artefact`, in the database so
    that every web and worker process reads the same one and no upload path can serve it).

    Scoring reads the newest model with status done (`is_active`); older ones stay as history.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.TRAINING)
    is_active = models.BooleanField(_("active"), default=False)
    algorithm = models.CharField(_("algorithm"), max_length=12, choices=Algorithm.choices, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    data_from = models.DateField(_("data from"), null=True, blank=True)
    data_until = models.DateField(_("data until"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    artefact = models.BinaryField(_("fitted model"), null=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("offer model")
        verbose_name_plural = _("offer models")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True),
                                               name="offermodel_one_active")]

    def __str__(self):
        return f"v{self.version}"


class OfferFeedback(models.Model):
    """An agent's note of what became of an offer (推荐反馈): offered, accepted or declined. A declined
    product is not offered to the customer again for OFFERS_DECLINE_DAYS days."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"),
                                 db_index=False)
    product = models.CharField(_("product or service"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    model = models.ForeignKey(OfferModel, verbose_name=_("model"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offer feedback")
        verbose_name_plural = _("offer feedback")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="offerfeedback_customer_time")]

    def __str__(self):
        return f"{self.customer_id} {self.product}: {self.outcome}"
