"""Shape of a recorded callback (回访)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import CallbackOutcome
from .base import BootstrapForm


class CallbackRecordForm(BootstrapForm):
    small = True
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallbackOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)
