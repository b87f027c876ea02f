from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import SoftDeleteQuerySet, TimeStampedModel
from guanxi.core.versioning import VersionedModel

from ..enums import CreditLevel, CustomerKind, Gender, IdType, LifecycleStage, PaymentMethod, SourceChannel


class Brand(TimeStampedModel):
    """A brand (品牌) customers subscribe under; the first cut of segmentation."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=30, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(VersionedModel, TimeStampedModel):
    """A customer (客户), individual or organisation: basic, business, billing and credit profile.

    `name_pinyin` and `name_initials` are derived by the services, so that search by name,
    pinyin, initials, phone, e-mail and ID is a b-tree prefix lookup; any word of a name (and its
    pinyin and initials) through a word index over `name_terms`; part of an organisation's name
    through a trigram index over organisation names only.
    """

    code = models.CharField(_("customer number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=CustomerKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=300, editable=False)
    name_initials = models.CharField(max_length=100, editable=False)

    # Basic profile
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)

    # Business profile (organisations)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    website = models.CharField(_("website"), max_length=200, blank=True)

    # Segmentation and relationship
    # No index of its own: a handful of brands, each a large share of the customers (a filter by brand
    # reads the list's updated_at index instead); every index costs each write (pool sweep, import).
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    arpu = models.DecimalField(_("ARPU (monthly)"), max_digits=12, decimal_places=2, default=0)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices,
        default=LifecycleStage.PROSPECT,
    )
    source = models.CharField(
        _("source"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.CALL_CENTER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="owned_customers", db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="customers", db_index=False,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")

    # Billing / account profile (计费帐务)
    billing_account = models.CharField(_("billing account"), max_length=30, blank=True)
    billing_cycle_day = models.PositiveSmallIntegerField(_("billing day"), null=True, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=0)
    invoice_title = models.CharField(_("invoice title"), max_length=100, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=30, blank=True)

    # Credit profile (信用)
    credit_level = models.CharField(
        _("credit level"), max_length=5, choices=CreditLevel.choices, blank=True
    )
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2, default=0)
    overdue_count = models.PositiveIntegerField(_("overdue payments"), default=0)

    notes = models.TextField(_("notes"), blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # A duplicate merged into another record (客户合并) points at its survivor; it is also
    # soft-deleted, so every list and search leaves it out. See services/merging.py.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_records", db_index=False,
    )
    # Every word of the name with its pinyin and initials (normalize.name_terms), derived by the
    # services; a word index over it (search_index.py) finds "Lovelace" in "Ada Lovelace" and
    # 华星 / huaxing / hx in 深圳华星科技有限公司. Declared last: bulk loaders write columns in order.
    name_terms = models.CharField(max_length=500, editable=False, blank=True, default="")

    # The audit rows are read by customer and by date; indexes on the copied references and times
    # would only slow every write (and an import's rebuild).
    history = HistoricalRecords(m2m_fields=[tags], no_db_index=["brand", "owner", "team", "merged_into",
                                                                 "created_at"])
    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # Exact lookups use plain b-trees; prefix search (LIKE 'x%') uses pattern-ops b-trees
        # (PostgreSQL; other databases ignore the opclass). Owner and team are covered by the
        # leading column of their list indexes.
        indexes = [
            models.Index(fields=["mobile"], opclasses=["varchar_pattern_ops"], name="customer_mobile_prefix"),
            models.Index(fields=["email"], opclasses=["varchar_pattern_ops"], name="customer_email_prefix"),
            models.Index(fields=["id_number"], opclasses=["varchar_pattern_ops"], name="customer_id_number_prefix"),
            models.Index(fields=["name"], opclasses=["varchar_pattern_ops"], name="customer_name_prefix_ops"),
            models.Index(fields=["name_pinyin"], opclasses=["varchar_pattern_ops"], name="customer_pinyin_prefix_ops"),
            models.Index(fields=["name_initials"], opclasses=["varchar_pattern_ops"],
                         name="customer_initials_prefix_ops"),
            models.Index(fields=["owner", "-updated_at"], name="customer_owner_updated"),
            models.Index(fields=["team", "-updated_at"], name="customer_team_updated"),
            models.Index(fields=["-updated_at"], name="customer_updated"),
            models.Index(fields=["arpu"], name="customer_arpu"),
            # The customers of one kind (the few organisations) without reading the table: sales analysis,
            # which counts individuals as the rest; partial, so writes of individuals skip it.
            models.Index(fields=["kind", "id"], condition=~models.Q(kind="individual"), name="customer_kind"),
            # Few customers are merged: a partial index stays small.
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="customer_merged_into"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(arpu__gte=0), name="customer_arpu_not_negative"),
            # A constraint rather than unique=True: one index, without PostgreSQL's extra LIKE index.
            models.UniqueConstraint(fields=["code"], name="customer_code_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def is_organisation(self) -> bool:
        return self.kind == CustomerKind.ORGANISATION
