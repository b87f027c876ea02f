from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from .models import RetentionAction

BIG_ID = 2**63 - 1


class CustomerRequestForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=BIG_ID)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReviewForm(BootstrapForm):
    note = forms.CharField(label=_("Review note"), max_length=500, required=False)


class AccessLogFilterForm(BootstrapForm):
    staff = forms.CharField(label=_("Staff member"), max_length=150, required=False,
                            help_text=_("Username or user id"))
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=BIG_ID, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Where"), required=False,
                                choices=[("", _("Everywhere")), ("page", _("Page")), ("api", _("API")),
                                         ("export", _("Export"))])


class RetentionRuleForm(BootstrapForm):
    """A retention rule's period, action and switch; the bounds and actions are checked by the service
    (the field's own bounds only keep the number sane)."""

    period_days = forms.IntegerField(label=_("Kept for (days)"), min_value=-1_000_000, max_value=1_000_000)
    action = forms.ChoiceField(label=_("Then"), choices=[])
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False)

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(RetentionAction.choices)
        self.fields["action"].choices = [(a, labels[a]) for a in (rule.allowed_actions if rule else labels)]
