from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm
from guanxi.servicedesk.enums import TicketType

from .services import PORTAL_TICKET_TYPES

LOGIN_HELP = _("Your mobile number or e-mail address")


class PasswordLoginForm(BootstrapForm):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeRequestForm(BootstrapForm):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "username"}))


class CodeLoginForm(BootstrapForm):
    login = forms.CharField(label=_("Mobile or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "username"}))
    code = forms.RegexField(label=_("Sign-in code"), regex=r"^\s*\d{6}\s*$", max_length=10,
                            error_messages={"invalid": _("Enter the six digits of the code.")},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric", "pattern": r"\d{6}"}))


class TicketOpenForm(BootstrapForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    type = forms.ChoiceField(label=_("What is it about?"),
                             choices=[(t, TicketType(t).label) for t in PORTAL_TICKET_TYPES])
    description = forms.CharField(label=_("Description"), max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(BootstrapForm):
    body = forms.CharField(label=_("Your message"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class PasswordSetForm(BootstrapForm):
    password = forms.CharField(label=_("New password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), max_length=200,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
