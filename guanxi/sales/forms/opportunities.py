from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm
from guanxi.core.versioning import VersionField
from guanxi.marketing.selectors.campaigns import campaigns_for_attribution

from ..models import DealReason, Opportunity, OpportunityStage, Period, SalesChannel


class OpportunityForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=2**63 - 1)
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2)
    expected_close_date = forms.DateField(label=_("Expected close date"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ModelChoiceField(label=_("Stage"), required=False, queryset=OpportunityStage.objects.none())
    probability = forms.IntegerField(label=_("Win probability (%)"), required=False,
                                     help_text=_("empty: the stage's default"))
    channel = forms.ModelChoiceField(label=_("Sales channel"), required=False, queryset=SalesChannel.objects.none())
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), required=False, queryset=None,
                                      help_text=_("the marketing campaign the deal is attributed to"))
    competitors = forms.CharField(
        label=_("Competitors"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("one a line: name, then a colon and notes (中国移动：报价低10%)"))
    version = VersionField()

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = OpportunityStage.objects.filter(is_active=True, is_won=False, is_lost=False)
        self.fields["channel"].queryset = SalesChannel.objects.filter(is_active=True)
        self.fields["campaign"].queryset = campaigns_for_attribution()
        if editing:
            del self.fields["customer"], self.fields["stage"]

    def clean_competitors(self) -> list[dict]:
        rows = []
        for line in (self.cleaned_data.get("competitors") or "").splitlines():
            name, _sep, note = line.replace("：", ":").partition(":")
            if name.strip():
                rows.append({"name": name.strip(), "note": note.strip()})
        return rows


def competitors_text(opportunity: Opportunity) -> str:
    return "\n".join(f"{c.name}: {c.note}" if c.note else c.name for c in opportunity.competitors.all())


class MoveForm(BootstrapForm):
    small = True
    stage = forms.ModelChoiceField(label=_("Move to"), queryset=OpportunityStage.objects.none())
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = OpportunityStage.objects.filter(is_active=True, is_won=False, is_lost=False)


class CloseForm(BootstrapForm):
    small = True
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=DealReason.objects.none(), required=False)
    note = forms.CharField(label=_("Details"), max_length=500, required=False)
    version = VersionField()

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = DealReason.objects.filter(kind=kind, is_active=True)
        self.fields["reason"].required = kind == DealReason.Kind.LOST


class BoardMoveForm(forms.Form):
    opportunity = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    stage = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class ForecastForm(BootstrapForm):
    small = True
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, required=False)
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    owner = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class BoardForm(forms.Form):
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    owner = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class BoardColumnForm(BoardForm):
    """One column of a board: what a column's "more" link lists."""

    stage = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
