from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

BIG_ID = 2**63 - 1


class CustomerRequestForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=BIG_ID)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReviewForm(BootstrapForm):
    note = forms.CharField(label=_("Review note"), max_length=500, required=False)
