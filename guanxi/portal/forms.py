from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.servicedesk.enums import TicketType

from .services import PORTAL_TICKET_TYPES

_INPUT = {"class": "form-control"}
LOGIN_HELP = _("Your mobile number or e-mail address")


class PasswordLoginForm(forms.Form):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "current-password"}))


class CodeRequestForm(forms.Form):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "username"}))


class CodeLoginForm(forms.Form):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "username"}))
    code = forms.RegexField(label=_("Sign-in code"), regex=r"^\s*\d{6}\s*$", max_length=10,
                            error_messages={"invalid": _("Enter the six digits of the code.")},
                            widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "one-time-code",
                                                          "inputmode": "numeric", "pattern": r"\d{6}"}))


class TicketOpenForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    type = forms.ChoiceField(label=_("What is it about?"),
                             choices=[(t, TicketType(t).label) for t in PORTAL_TICKET_TYPES],
                             widget=forms.Select(attrs={"class": "form-select"}))
    description = forms.CharField(label=_("Description"), max_length=20_000,
                                  widget=forms.Textarea(attrs={**_INPUT, "rows": 6}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=20_000,
                           widget=forms.Textarea(attrs={**_INPUT, "rows": 4}))


class PasswordSetForm(forms.Form):
    password = forms.CharField(label=_("New password"), max_length=200,
                               widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), max_length=200,
                                widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
