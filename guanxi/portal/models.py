from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel


class PortalAccount(TimeStampedModel):
    """A customer's sign-in to the self-service portal (自助服务账号), one per customer.

    Not a staff user: the portal keeps its own session key, so a portal sign-in never grants
    access to the staff pages and a staff sign-in never grants access to the portal.
    """

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="portal_account")
    login = models.CharField(_("login"), max_length=254, unique=True,
                             help_text=_("Mobile number in international form (+86…) or e-mail address"))
    password = models.CharField(_("password"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.login

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    @property
    def code_channel(self) -> str:
        """Where one-time codes go: SMS to a mobile login, e-mail to an e-mail login."""
        return "email" if "@" in self.login else "sms"


class OneTimeCode(models.Model):
    """A six-digit sign-in code sent by SMS or e-mail; only its keyed hash is stored."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    channel = models.CharField(_("channel"), max_length=10)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="otc_account_recent")]

    def __str__(self):
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M}"
