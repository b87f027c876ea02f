"""Shapes of the complaint workflow's input on the case page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Team

from ..enums import CallbackOutcome, ComplaintSeverity
from .base import BootstrapForm


class ComplaintOpenForm(BootstrapForm):
    small = True
    severity = forms.ChoiceField(label=_("Severity"), choices=ComplaintSeverity.choices,
                                 initial=ComplaintSeverity.NORMAL)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintStepForm(BootstrapForm):
    small = True
    stage = forms.CharField(max_length=20, widget=forms.HiddenInput)
    classification = forms.CharField(label=_("Classification"), max_length=100, required=False)
    responsible_team = forms.ModelChoiceField(label=_("Responsible department"), queryset=Team.objects.all(),
                                              required=False)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # Verifying is the callback (回访): what the customer said about the result.
    outcome = forms.ChoiceField(label=_("Callback outcome"), required=False, initial=CallbackOutcome.SATISFIED,
                                choices=[(o, label) for o, label in CallbackOutcome.choices
                                         if o in (CallbackOutcome.SATISFIED, CallbackOutcome.NEUTRAL)])


class ComplaintReopenForm(BootstrapForm):
    small = True
    note = forms.CharField(label=_("Why the customer is not satisfied"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))
