"""The care rule form of the pages: choices and types only; the rules themselves (a greeting needs
a message channel and a template, budgets are amounts from 0, the only placeholder is {客户姓名}) are
the service's, shown on the form's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import user_list
from guanxi.core.forms import BootstrapForm
from guanxi.segments.selectors import segment_list

from .enums import ActionKind, CareChannel, Festival, OccasionKind, PublicHoliday
from .occasions import occasion_sources
from .services import RULE_FIELDS, template_shown

EVERY_CUSTOMER = "all"


class CareRuleForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    occasion = forms.ChoiceField(label=_("Occasion"), choices=OccasionKind.choices)
    occasion_key = forms.ChoiceField(
        label=_("Festival or holiday"),
        required=False,
        choices=[("", "—"), (_("Lunar festival"), Festival.choices), (_("Public holiday"), PublicHoliday.choices)],
        help_text=_("for a lunar festival or a public holiday"),
    )
    lead_days = forms.IntegerField(label=_("Days ahead"), min_value=0, max_value=60, initial=0)
    action = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CareChannel.choices)
    template = forms.CharField(
        label=_("Message template"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("{客户姓名} is replaced by the customer's name"),
    )
    subject = forms.CharField(label=_("E-mail subject"), required=False, max_length=200)
    budget = forms.CharField(
        label=_("Budget per year (¥)"), required=False, max_length=20, help_text=_("empty: no limit")
    )
    cost_per_action = forms.CharField(label=_("Cost per action (¥)"), max_length=20, initial="0")
    assignee = forms.ChoiceField(
        label=_("Fallback assignee"), required=False, help_text=_("does the tasks of customers without an owner")
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.segments = {str(s.pk): s for s in segment_list(user=user).order_by("name", "pk")}
        self.fields["segment"].choices = [
            ("", _("— choose —")),
            (EVERY_CUSTOMER, _("All customers")),
            *((pk, s.name) for pk, s in self.segments.items()),
        ]
        sources = [(key, source.label) for key, source in occasion_sources().items()]
        if sources:
            self.fields["occasion_key"].choices = [*self.fields["occasion_key"].choices,
                                                   (_("Key-account celebration"), sources)]
        self.users = {str(u.pk): u for u in user_list().order_by("username")}
        self.fields["assignee"].choices = [("", "—"), *((pk, str(u)) for pk, u in self.users.items())]
        self.style_widgets()

    def clean_segment(self):
        value = self.cleaned_data["segment"]
        if not value:
            raise forms.ValidationError(_("Choose a segment, or all customers."))
        return None if value == EVERY_CUSTOMER else self.segments[value]

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        return self.users[value] if value else None

    def clean_budget(self):
        return self.cleaned_data["budget"].strip() or None

    @classmethod
    def initial_of(cls, rule) -> dict:
        data = {k: getattr(rule, k) for k in RULE_FIELDS}
        data.update(
            segment=str(rule.segment_id) if rule.segment_id else EVERY_CUSTOMER,
            assignee=str(rule.assignee_id or ""),
            template=template_shown(rule.template),
            budget="" if rule.budget is None else str(rule.budget),
            cost_per_action=str(rule.cost_per_action),
        )
        return data
