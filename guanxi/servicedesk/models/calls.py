from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import CallStatus, CtiEventType


class Call(models.Model):
    """A call-center call (呼叫) as the CTI reported it, with the customer it was matched to."""

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    caller = models.CharField(_("caller number"), max_length=40, blank=True)
    caller_normalized = models.CharField(max_length=40, blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="calls")
    status = models.CharField(_("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING)
    ivr_keys = models.CharField(_("IVR keys pressed"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    interaction = models.ForeignKey("customers.Interaction", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [models.Index(fields=["agent", "status", "-started_at"], name="call_agent_status")]

    def __str__(self):
        return f"{self.call_id} {self.caller}"


class CtiEvent(models.Model):
    """Every CTI event received, once: the event id makes delivery idempotent."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=20, choices=CtiEventType.choices)
    call_id = models.CharField(max_length=100, db_index=True)  # a person's export and erasure look events up by call
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CTI event")
        verbose_name_plural = _("CTI events")

    def __str__(self):
        return f"{self.type} {self.event_id}"
