from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Remedy
from .services import CUSTOMER_CHOICES


class SerialLookupForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=50,
                             widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}))


class DecisionForm(forms.Form):
    part = forms.ChoiceField(label=_("Faulty part"), widget=forms.Select(attrs={"class": "form-select"}))
    fault_date = forms.DateField(label=_("Fault date"),
                                 widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    customer_wants = forms.ChoiceField(
        label=_("Customer wants"), required=False, widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", _("(no preference)")), *((c, label) for c, label in Remedy.choices if c in CUSTOMER_CHOICES)])
    stock_available = forms.BooleanField(label=_("Same model in stock"), required=False, initial=True,
                                         widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, parts: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = parts
