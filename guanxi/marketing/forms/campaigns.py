"""Shapes of the campaign pages' forms. Region and value tier become rules of the segments engine
(the campaign's `definition`); the rules themselves stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm
from guanxi.customers.regions import PROVINCES
from guanxi.segments.enums import ValueLevel

from ..enums import CampaignChannel, ExpenseCategory, OptOutChannel, ResponseKind

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    objective = forms.CharField(label=_("Objective"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=CampaignChannel.choices,
                                         widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("Start date"), widget=DATE)
    ends_on = forms.DateField(label=_("End date"), widget=DATE)
    send_time = forms.TimeField(label=_("Send time"), widget=forms.TimeInput(attrs={"type": "time"}))
    budget = forms.DecimalField(label=_("Budget (¥)"), max_digits=14, decimal_places=2, required=False)
    message_subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    message_text = forms.CharField(label=_("Message text"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("SMS get “回TD退订” added, e-mails an unsubscribe link"))
    segments = forms.ModelMultipleChoiceField(label=_("Saved segments"), required=False, queryset=None,
                                              help_text=_("customers in any of them; none: every customer"))
    provinces = forms.MultipleChoiceField(label=_("Provinces"), required=False,
                                          choices=[(p, p) for p in PROVINCES])
    value_levels = forms.MultipleChoiceField(label=_("Value tiers"), required=False, choices=ValueLevel.choices,
                                             widget=forms.CheckboxSelectMultiple)
    industries = forms.CharField(label=_("Industries"), max_length=500, required=False,
                                 help_text=_("comma-separated; any of them"))
    occupations = forms.CharField(label=_("Occupations"), max_length=500, required=False,
                                  help_text=_("comma-separated; any of them"))
    age_min = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Maximum age"), min_value=0, max_value=150, required=False)

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = segments

    def service_data(self) -> dict:
        """The cleaned fields as the services take them (region and tier as segments rules)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("segments", "provinces", "value_levels")}
        data["budget"] = data.get("budget") or 0
        rules = []
        if self.cleaned_data.get("provinces"):
            rules.append({"field": "province", "op": "in", "value": list(self.cleaned_data["provinces"])})
        if self.cleaned_data.get("value_levels"):
            rules.append({"field": "value_level", "op": "in", "value": list(self.cleaned_data["value_levels"])})
        data["definition"] = {"match": "all", "rules": rules} if rules else {}
        return data


def campaign_initial(campaign) -> dict:
    rules = {r.get("field"): r.get("value") for r in (campaign.definition or {}).get("rules", [])}
    return {"name": campaign.name, "objective": campaign.objective, "channels": campaign.channels,
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on, "send_time": campaign.send_time,
            "budget": campaign.budget, "message_subject": campaign.message_subject,
            "message_text": campaign.message_text, "segments": list(campaign.segments.all()),
            "provinces": rules.get("province") or [], "value_levels": rules.get("value_level") or [],
            "industries": campaign.industries, "occupations": campaign.occupations, "age_min": campaign.age_min,
            "age_max": campaign.age_max}


class ResponseForm(BootstrapForm):
    small = True
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label=_("Response"), choices=ResponseKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", "—"), *CampaignChannel.choices])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    create_lead = forms.BooleanField(label=_("Create a lead"), required=False)


class ExpenseForm(BootstrapForm):
    small = True
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), *CampaignChannel.choices])
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class OptOutForm(BootstrapForm):
    small = True
    customer = forms.IntegerField(label=_("Customer number (id)"), min_value=1, max_value=2**63 - 1)
    channel = forms.ChoiceField(label=_("Channel"), choices=OptOutChannel.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
