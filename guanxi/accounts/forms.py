from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm, BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """Django's sign-in form (the username field has the focus) with the product's styling."""


class ApiTokenForm(BootstrapForm):
    name = forms.CharField(
        label=_("Token name"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. reporting script")}),
    )
    expires_in_days = forms.IntegerField(label=_("Expires after (days)"), min_value=1, max_value=3650, required=False)
