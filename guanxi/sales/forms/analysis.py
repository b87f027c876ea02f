from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..models import Opportunity, OpportunityStage
from ..selectors.analysis import DRILL_COLUMNS, REPORTS

PERIOD_CHOICES = (("year", _("Year")), ("quarter", _("Quarter")), ("month", _("Month")))
MAX_ID = 2**63 - 1


class AnalysisForm(BootstrapForm):
    small = True
    report = forms.ChoiceField(label=_("Report"), choices=list(REPORTS.items()), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label=_("A day in the period"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class DrillForm(forms.Form):
    """The drill-down list's filter: the period, and a dimension's value ("" for not set)."""

    closed_after = forms.DateField()
    closed_before = forms.DateField()
    team = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    owner = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(required=False, choices=[("", ""), (Opportunity.Status.WON, Opportunity.Status.WON),
                                                        (Opportunity.Status.LOST, Opportunity.Status.LOST)])

    def dimension_values(self, query) -> dict:
        """The dimension filters present in the query (ids, or a customer kind; "" for not set)."""
        out = {}
        for name in DRILL_COLUMNS:
            if name in ("team", "owner") or name not in query:
                continue
            value = query.get(name, "")
            if value and name != "customer_kind":
                if not value.isdigit() or int(value) > MAX_ID:
                    continue
                value = int(value)
            out[name] = value
        return out


class PartnerDealForm(BootstrapForm):
    """What a partner changes on its deal: the stage, the amount and the expected close date."""

    small = True
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=OpportunityStage.objects.none())
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2, min_value=0)
    expected_close_date = forms.DateField(label=_("Expected close date"),
                                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = OpportunityStage.objects.filter(is_active=True, is_won=False,
                                                                        is_lost=False)
