from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from .models import Remedy
from .services import CUSTOMER_CHOICES


class SerialLookupForm(BootstrapForm):
    serial = forms.CharField(label=_("Serial number"), max_length=50,
                             widget=forms.TextInput(attrs={"autofocus": True}))


class DecisionForm(BootstrapForm):
    part = forms.ChoiceField(label=_("Faulty part"))
    fault_date = forms.DateField(label=_("Fault date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    customer_wants = forms.ChoiceField(
        label=_("Customer wants"), required=False,
        choices=[("", _("(no preference)")), *((c, label) for c, label in Remedy.choices if c in CUSTOMER_CHOICES)])
    stock_available = forms.BooleanField(label=_("Same model in stock"), required=False, initial=True)

    def __init__(self, *args, parts: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = parts
