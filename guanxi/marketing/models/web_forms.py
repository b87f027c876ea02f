from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel


class WebForm(TimeStampedModel):
    """A public lead form (线索收集表单) at /l/<slug>/: anyone may fill it in without signing in;
    what they send becomes a lead of source "web form", unowned (in the pool) unless the form names
    an owner."""

    slug = models.SlugField(_("address"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), blank=True)
    interest_label = models.CharField(_("question about interest"), max_length=100, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner of new leads"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey("marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="web_forms",
                                 help_text=_("the campaign the form's leads are attributed to"))
    thanks_text = models.TextField(_("thank-you text"), blank=True, max_length=500)
    is_active = models.BooleanField(_("accepting answers"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title
