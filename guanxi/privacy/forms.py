from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

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
