from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.enums import Role
from guanxi.core.models import TimeStampedModel
from guanxi.core.uploads import random_upload_name

from .enums import EventKind, GreenStatus, LimitUnit, PersonRole, StepStatus, Strength, VisitKind, VisitStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 5, "decimal_places": 2}


class KeyAccountTier(TimeStampedModel):
    """A tier of key accounts (大客户等级), e.g. 战略 / 重点 / 普通: data, configured by administrators."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, help_text=_("1 is the most important"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    visit_cadence_days = models.PositiveSmallIntegerField(
        _("visit every (days)"),
        default=30,
        help_text=_("how often the key-account manager visits an account of this tier"),
    )

    class Meta:
        verbose_name = _("key-account tier")
        verbose_name_plural = _("key-account tiers")
        ordering = ["rank", "id"]

    def __str__(self):
        return self.name


class KeyAccount(TimeStampedModel):
    """A key account (大客户): a customer designated by a manager, with its tier, key-account manager and
    backup, and what it spends in its category (its wallet). De-designation keeps the row (inactive)."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="key_account"
    )
    tier = models.ForeignKey(KeyAccountTier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="accounts")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key-account manager"),
        on_delete=models.PROTECT,
        related_name="key_accounts_managed",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_accounts_backed_up",
    )
    is_active = models.BooleanField(_("designated"), default=True)
    designated_at = models.DateTimeField(_("designated at"))
    score_at_designation = models.FloatField(_("score when designated"), null=True, blank=True)
    wallet_estimate = models.DecimalField(
        _("wallet per year"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("what the account spends per year on what we sell, with anyone"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key account")
        verbose_name_plural = _("key accounts")
        ordering = ["tier__rank", "id"]
        indexes = [
            models.Index(fields=["manager", "is_active"], name="ka_manager"),
            models.Index(fields=["backup", "is_active"], name="ka_backup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(backup=models.F("manager")) | Q(backup__isnull=True), name="ka_backup_not_manager"
            )
        ]

    def __str__(self):
        return str(self.customer)


class KeyAccountEvent(models.Model):
    """The designation history (大客户认定记录): who designated, de-designated or changed an account,
    when and why, with the score at the time and whether the criteria were overridden."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    reason = models.TextField(_("reason"))
    override_reason = models.TextField(_("override reason"), blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("key-account event")
        verbose_name_plural = _("key-account events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"], name="ka_event_account")]

    def __str__(self):
        return f"{self.account_id}: {self.kind}"


class KeyPerson(TimeStampedModel):
    """A key person inside the account (关键人) in its org chart: a contact of the customer, who they
    report to, their role in buying, influence and how strong our relationship is. A contact is in
    one account's chart once."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="people"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    reports_to = models.ForeignKey(
        "self", verbose_name=_("reports to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices)
    influence = models.PositiveSmallIntegerField(_("influence"), choices=Strength.choices, default=Strength.MEDIUM)
    relationship = models.PositiveSmallIntegerField(
        _("relationship strength"), choices=Strength.choices, default=Strength.MEDIUM
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key people")
        ordering = ["account", "id"]
        constraints = [models.UniqueConstraint(fields=["account", "contact"], name="ka_person_once_per_account")]

    def __str__(self):
        return f"{self.account_id}: {self.contact_id}"


class Competitor(TimeStampedModel):
    """A competitor present at the account (竞争对手) with its estimated share of the account's wallet."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("competitor"), max_length=100)
    share_of_wallet = models.DecimalField(_("share of wallet (%)"), **SHARE, default=0)
    products = models.CharField(_("what they sell there"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["-share_of_wallet", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="ka_competitor_once"),
            models.CheckConstraint(
                condition=Q(share_of_wallet__gte=0) & Q(share_of_wallet__lte=100), name="ka_competitor_share"
            ),
        ]

    def __str__(self):
        return self.name


class KeyAccountPlan(TimeStampedModel):
    """The key-account plan of one account for one year (大客户计划): the five steps — positioning,
    external analysis, internal analysis, objectives, strategy — with measurable objectives."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    positioning = models.TextField(_("positioning"), blank=True)
    external_analysis = models.TextField(_("external analysis"), blank=True)
    internal_analysis = models.TextField(_("internal analysis"), blank=True)
    objectives_text = models.TextField(_("objectives"), blank=True)
    strategy = models.TextField(_("strategy"), blank=True)
    revenue_target = models.DecimalField(_("revenue target"), **MONEY, null=True, blank=True)
    share_target = models.DecimalField(_("share of wallet target (%)"), **SHARE, null=True, blank=True)
    satisfaction_target = models.DecimalField(_("satisfaction target"), **SHARE, null=True, blank=True)
    projects_target = models.PositiveSmallIntegerField(_("projects won target"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key-account plan")
        verbose_name_plural = _("key-account plans")
        ordering = ["account", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="ka_plan_once_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="ka_plan_year"),
            models.CheckConstraint(
                condition=Q(share_target__isnull=True) | (Q(share_target__gte=0) & Q(share_target__lte=100)),
                name="ka_plan_share",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.year}"


# ---------------------------------------------------------------- green channel (绿色通道)


class GreenTemplate(TimeStampedModel):
    """A green-channel process template (绿色通道流程模板): its steps in order, as data an administrator
    edits; step time limits are counted on its business calendar (none: Monday to Friday 9:00–18:00
    with mainland China's holidays and make-up working days)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(
        "servicedesk.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("green-channel template")
        verbose_name_plural = _("green-channel templates")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class GreenTemplateStep(models.Model):
    """One step of a template: its owner (a person, or a role — the key-account manager meaning the
    account's own), its time limit in working hours or days, and the documents it needs."""

    template = models.ForeignKey(GreenTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("step"), max_length=100)
    owner_role = models.CharField(_("owner role"), max_length=30, choices=Role.choices, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    limit_amount = models.PositiveSmallIntegerField(_("time limit"))
    limit_unit = models.CharField(_("unit"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.DAYS)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)

    class Meta:
        verbose_name = _("green-channel template step")
        verbose_name_plural = _("green-channel template steps")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="ka_green_tstep_once"),
            models.CheckConstraint(condition=Q(limit_amount__gte=1), name="ka_green_tstep_limit"),
        ]

    def __str__(self):
        return self.name


class GreenProcess(TimeStampedModel):
    """A green-channel process (绿色通道流程) of a key account, started from a template whose steps it
    copies: later edits of the template do not change a running process."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="green_processes"
    )
    template = models.ForeignKey(
        GreenTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="processes"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=GreenStatus.choices, default=GreenStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("green-channel process")
        verbose_name_plural = _("green-channel processes")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "-started_at"], name="ka_green_account")]

    def __str__(self):
        return self.title


class GreenStep(models.Model):
    """One step of a process: pending, active (its owner has a hand-over task, due at `due_at`) or done;
    a step past its due time is marked late once and escalated to its owner's manager."""

    process = models.ForeignKey(GreenProcess, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("step"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    limit_amount = models.PositiveSmallIntegerField(_("time limit"))
    limit_unit = models.CharField(_("unit"), max_length=10, choices=LimitUnit.choices)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("green-channel step")
        verbose_name_plural = _("green-channel steps")
        ordering = ["process", "position"]
        constraints = [models.UniqueConstraint(fields=["process", "position"], name="ka_green_step_once")]
        indexes = [
            models.Index(fields=["due_at"], name="ka_green_step_due", condition=Q(status="active", is_late=False)),
        ]

    def __str__(self):
        return self.name


def green_document_upload_to(instance, filename: str) -> str:
    return random_upload_name("green", filename)


class GreenDocument(models.Model):
    """A document uploaded to a step (stored privately; handed out only to those who may read the
    process)."""

    step = models.ForeignKey(GreenStep, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=100)
    file = models.FileField(_("file"), upload_to=green_document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("green-channel document")
        verbose_name_plural = _("green-channel documents")
        ordering = ["step", "id"]

    def __str__(self):
        return self.original_name


# ---------------------------------------------------------------- yellow channel (黄色通道)


class Visit(TimeStampedModel):
    """A yellow-channel contact (黄色通道): the manager's scheduled visit, the customer's visit to us or a
    friendly service (友情服务), each a task of its owner, with its outcome once done."""

    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="visits"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled for"))
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-scheduled_at"], name="ka_visit_account"),
            models.Index(fields=["owner", "-scheduled_at"], name="ka_visit_owner"),
            models.Index(fields=["account", "kind", "-done_at"], name="ka_visit_done"),
        ]

    def __str__(self):
        return self.subject


# ---------------------------------------------------------------- red channel (红色通道)


def _red_channel_types() -> list[str]:
    return ["fault", "complaint"]


class RedChannelRule(TimeStampedModel):
    """A red-channel rule (红色通道规则): which key accounts' cases (a tier, or every tier) of which types
    go to a dedicated team with a priority at least this, under service standards of their own (a
    standard tier reserved for the red channel: tighter targets, earlier warnings, faster escalation).
    Data, configured by administrators and service managers; the most specific active rule applies (a
    tier's over all). Audited (history with its standards)."""

    name = models.CharField(_("name"), max_length=100)
    tier = models.ForeignKey(
        KeyAccountTier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="red_channel_rules",
        help_text=_("empty: every tier"),
    )
    ticket_types = models.JSONField(_("case types"), default=_red_channel_types)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("red-channel team"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(_("priority at least"), default=3)
    standards = models.ManyToManyField(
        "servicedesk.ServiceStandard", verbose_name=_("red-channel standards"), related_name="+", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[standards])

    class Meta:
        verbose_name = _("red-channel rule")
        verbose_name_plural = _("red-channel rules")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tier"], condition=Q(is_active=True), name="ka_red_rule_once_per_tier"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="ka_red_rule_priority"),
        ]

    def __str__(self):
        return self.name

    def type_labels(self) -> list[str]:
        from guanxi.servicedesk.enums import TicketType

        labels = dict(TicketType.choices)
        return [str(labels.get(t, t)) for t in self.ticket_types]


class RedChannelCase(models.Model):
    """A case routed through the red channel (红色通道工单): which account and rule, and when; the case
    itself stays the service desk's. The red-channel board lists these."""

    ticket = models.OneToOneField(
        "servicedesk.Ticket", verbose_name=_("case"), on_delete=models.CASCADE, related_name="red_channel"
    )
    account = models.ForeignKey(
        KeyAccount, verbose_name=_("key account"), on_delete=models.CASCADE, related_name="red_cases"
    )
    rule = models.ForeignKey(
        RedChannelRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routed_at = models.DateTimeField(_("routed at"))

    class Meta:
        verbose_name = _("red-channel case")
        verbose_name_plural = _("red-channel cases")
        ordering = ["-routed_at", "-id"]
        indexes = [models.Index(fields=["account", "-routed_at"], name="ka_red_case_account")]

    def __str__(self):
        return f"{self.account_id}: {self.ticket_id}"
