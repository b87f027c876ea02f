"""Shapes of the customer pages' input; business rules stay in the services."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Team
from guanxi.accounts.roles import Scope
from guanxi.accounts.selectors import user_list
from guanxi.core.forms import BootstrapForm
from guanxi.core.versioning import VersionField

from .. import permissions
from ..enums import (
    CreditLevel,
    CustomerKind,
    Gender,
    IdType,
    LifecycleStage,
    PaymentMethod,
    SourceChannel,
)
from ..models import Brand
from ..ownership import OWNER_ROLES
from ..regions import PROVINCES
from ..selectors.customers import CUSTOMER_ORDERING
from ..validation import clean_customer_fields, clean_tag_names, reason

# Shown masked to roles without access to personal data: never pre-filled in their edit form.
PERSONAL_FIELDS = ("mobile", "email", "id_number", "bank_account")


def _any(label):
    return [("", label)]


class CustomerFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=_any(_("All kinds")) + list(CustomerKind.choices))
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), required=False,
                                        choices=_any(_("All stages")) + list(LifecycleStage.choices))
    brand = forms.ModelChoiceField(label=_("Brand"), required=False, queryset=Brand.objects.all(),
                                   empty_label=_("All brands"))
    tag = forms.CharField(label=_("Tag"), max_length=30, required=False)
    province = forms.ChoiceField(label=_("Province"), required=False,
                                 choices=_any(_("All provinces")) + [(p, p) for p in PROVINCES])
    ordering = forms.CharField(max_length=40, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def clean_ordering(self):
        value = self.cleaned_data["ordering"].strip()
        return value if value.lstrip("-") in CUSTOMER_ORDERING.allowed else ""


class CustomerForm(BootstrapForm):
    # Basic
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices, initial=CustomerKind.INDIVIDUAL)
    name = forms.CharField(label=_("Name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=50, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=50, required=False)
    # Business
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    employee_count = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    annual_revenue = forms.DecimalField(label=_("Annual revenue"), min_value=0, max_digits=16,
                                        decimal_places=2, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.all(), required=False)
    arpu = forms.DecimalField(label=_("ARPU (monthly)"), min_value=0, max_digits=12, decimal_places=2,
                              required=False)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices,
                                        initial=LifecycleStage.PROSPECT)
    source = forms.ChoiceField(label=_("Source"), choices=SourceChannel.choices, initial=SourceChannel.CALL_CENTER)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=user_list(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    tags = forms.CharField(label=_("Tags"), max_length=400, required=False,
                           help_text=_("Separate tags with commas."))
    # Billing
    billing_account = forms.CharField(label=_("Billing account"), max_length=30, required=False)
    billing_cycle_day = forms.IntegerField(label=_("Billing day"), min_value=1, max_value=28, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    balance = forms.DecimalField(label=_("Balance"), max_digits=14, decimal_places=2, required=False)
    invoice_title = forms.CharField(label=_("Invoice title"), max_length=100, required=False)
    tax_number = forms.CharField(label=_("Tax number"), max_length=30, required=False)
    # Credit
    credit_level = forms.ChoiceField(label=_("Credit level"), choices=CreditLevel.choices, required=False)
    credit_limit = forms.DecimalField(label=_("Credit limit"), min_value=0, max_digits=14, decimal_places=2,
                                      required=False)
    overdue_count = forms.IntegerField(label=_("Overdue payments"), min_value=0, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()

    SECTIONS = (
        (_("Basic profile"), ("kind", "name", "mobile", "email", "gender", "birth_date", "id_type",
                              "id_number", "occupation", "industry")),
        (_("Business profile"), ("legal_representative", "employee_count", "annual_revenue", "website")),
        (_("Relationship"), ("brand", "arpu", "lifecycle_stage", "source", "owner", "team", "tags")),
        (_("Billing"), ("billing_account", "billing_cycle_day", "payment_method", "bank_account", "balance",
                        "invoice_title", "tax_number")),
        (_("Credit"), ("credit_level", "credit_limit", "overdue_count")),
        (_("Notes"), ("notes",)),
    )

    def __init__(self, *args, user, masked: dict | None = None, **kwargs):
        """`masked`: field -> masked current value, for roles that must not see personal data;
        those fields start empty and are left unchanged when submitted empty."""
        super().__init__(*args, **kwargs)
        self.masked = masked or {}
        for name, shown in self.masked.items():
            self.fields[name].widget.attrs["placeholder"] = shown
            self.fields[name].help_text = _("Hidden; leave empty to keep the current value.")
        write, hand_over = permissions.scope(user, "customer", "write"), permissions.hand_over_scope(user)
        # Who the customer may be handed over to, and its current owner (kept when unchanged).
        owners = user_list().filter(Q(role__in=OWNER_ROLES) | Q(is_superuser=True) | Q(pk=self.initial.get("owner")))
        if write is Scope.OWN or hand_over is Scope.NONE:
            del self.fields["owner"], self.fields["team"]
        elif hand_over is Scope.TEAM:
            self.fields["owner"].queryset = owners.filter(Q(team_id=user.team_id) | Q(pk=self.initial.get("owner")))
            del self.fields["team"]
        else:
            self.fields["owner"].queryset = owners

    def clean(self):
        """The field rules every customer passes (`customers.validation`, as in the API and the import),
        each reason next to its field; the services decide the rest (ownership, relations)."""
        cleaned = super().clean()
        if not self.errors:
            data, tags = self.service_data()
            _, errors = clean_customer_fields(data, partial=True, today=timezone.localdate())
            _, errors["tags"] = clean_tag_names(tags)
            for name, error in errors.items():
                if error:
                    self.add_error(name if name in self.fields else None, reason(*error))
        return cleaned

    def sections(self):
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.SECTIONS]

    def service_data(self) -> tuple[dict, list[str]]:
        """The cleaned fields as the services take them: (data, tags)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("tags", "version")}
        for name in self.masked:
            if not data.get(name):
                data.pop(name, None)
        for name in ("arpu", "balance", "credit_limit", "overdue_count"):
            if data.get(name) is None:
                data[name] = 0
        tags = [t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()]
        return data, tags
