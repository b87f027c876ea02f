from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Role
from guanxi.core.forms import BootstrapForm

from .enums import DayKind, RecordKind, RuleKind, Tier


class RuleForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    applies_to = forms.ChoiceField(label=_("Applies to"), choices=RecordKind.choices)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=3650)
    day_kind = forms.ChoiceField(label=_("Counted in"), choices=DayKind.choices)
    warn_days = forms.IntegerField(label=_("Warn days before"), min_value=0, max_value=3650, initial=3,
                                   help_text=_("0: no warning"))
    tiers = forms.MultipleChoiceField(label=_("Value tiers"), choices=Tier.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple, help_text=_("none: every tier"))
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)


class LimitForm(BootstrapForm):
    small = True
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    username = forms.CharField(label=_("Or person (user name)"), max_length=150, required=False)
    limit = forms.IntegerField(label=_("Limit"), min_value=0, max_value=100_000)
