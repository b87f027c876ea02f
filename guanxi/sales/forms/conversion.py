from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..models import OpportunityStage


class LeadConvertForm(BootstrapForm):
    name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False,
                           help_text=_("empty: the lead's interest"))
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2, min_value=0)
    expected_close_date = forms.DateField(label=_("Expected close date"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ModelChoiceField(label=_("Stage"), required=False, queryset=OpportunityStage.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = OpportunityStage.objects.filter(is_active=True, is_won=False, is_lost=False)
