from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. reporting script")}),
    )
    expires_in_days = forms.IntegerField(label=_("Expires after (days)"), min_value=1, max_value=3650, required=False,
                                         widget=forms.NumberInput(attrs={"class": "form-control"}))
