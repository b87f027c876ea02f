"""The public lead forms' settings form (shape only; the rules live in services/leads)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import User
from guanxi.core.forms import BootstrapForm

from .. import permissions
from ..models import Campaign


class WebFormForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    slug = forms.CharField(label=_("Address"), max_length=50,
                           help_text=_("the end of the public address: lowercase letters, digits and -"))
    intro = forms.CharField(label=_("Introduction"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    interest_label = forms.CharField(label=_("Question about interest"), max_length=100, required=False,
                                     help_text=_("empty: the standard question"))
    thanks_text = forms.CharField(label=_("Thank-you text"), required=False, max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("shown after sending; empty: the standard text"))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False,
                                      help_text=_("the campaign the form's leads are attributed to"))
    owner = forms.ModelChoiceField(label=_("Owner of new leads"), queryset=None, required=False,
                                   help_text=_("empty: new leads go to the public pool"))
    is_active = forms.BooleanField(label=_("Accepting answers"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-starts_on", "-id")
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=permissions.OWNER_ROLES).order_by("username")
