from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import OPEN_STATUSES, Authority, DisqualifyReason, LeadSource, LeadStatus, Timeline
from .web_forms import WebForm


class Lead(TimeStampedModel):
    """A prospective customer (潜在客户/线索): a person and/or a company with a way to reach them, what
    they are interested in, where the lead came from and how far it is qualified. Unowned leads are
    in the pool (公海). Phones are stored in E.164 and e-mail in lower case (the customers' rules);
    `name_key` is the name as duplicates are looked up by."""

    person_name = models.CharField(_("contact name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    source_detail = models.CharField(_("source detail"), max_length=100, blank=True,
                                     help_text=_("the event, outlet, partner or file it came from"))
    web_form = models.ForeignKey(WebForm, verbose_name=_("web form"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="leads")
    interest = models.TextField(_("interest"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(_("reason for disqualifying"), max_length=20,
                                         choices=DisqualifyReason.choices, blank=True)
    status_note = models.CharField(_("note on the status"), max_length=500, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    need = models.CharField(_("need"), max_length=500, blank=True)
    timeline = models.CharField(_("buying timeline"), max_length=20, choices=Timeline.choices,
                                default=Timeline.UNKNOWN)
    authority = models.CharField(_("authority"), max_length=20, choices=Authority.choices,
                                 default=Authority.UNKNOWN)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_leads", db_index=False)
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="leads", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="submitted_leads",
                                   db_index=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="leads", db_index=False,
                                 help_text=_("the existing customer it matches, or the one it was converted into"))
    # The channel partner (代理商, a team of kind partner) that submitted the lead; its users all reach it.
    partner = models.ForeignKey("accounts.Team", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="partner_leads", db_index=False,
                                limit_choices_to={"kind": "partner"})
    contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("disqualified or converted"), null=True, blank=True)
    campaign = models.ForeignKey("marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="leads",
                                 help_text=_("the campaign the lead answered"))
    name_key = models.CharField(max_length=100, editable=False, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(person_name="", company_name=""), name="lead_has_a_name"),
            models.CheckConstraint(condition=~models.Q(mobile="", phone="", email=""), name="lead_has_a_contact"),
            models.CheckConstraint(condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                                   name="lead_budget_not_negative"),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"], name="lead_owner_status_created"),
            models.Index(fields=["status", "-created_at"], name="lead_status_created"),
            models.Index(fields=["created_by", "-created_at"], name="lead_submitter_created"),
            models.Index(fields=["partner", "-created_at"], name="lead_partner_created"),
            models.Index(fields=["customer", "-created_at"], name="lead_customer_created"),
            models.Index(fields=["mobile"], name="lead_mobile"),
            models.Index(fields=["phone"], name="lead_phone"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["name_key"], name="lead_name_key"),
            models.Index(fields=["source", "-created_at"], name="lead_source_created"),
        ]

    def __str__(self):
        if self.person_name and self.company_name:
            return f"{self.person_name}（{self.company_name}）"
        return self.person_name or self.company_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
