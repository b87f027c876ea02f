"""Shapes of the promise forms (承诺); the rules stay in services/commitments.py."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Commitment
from .base import BootstrapForm

CLOSE_ACTIONS = (("keep", pgettext_lazy("promise", "Kept")), ("withdraw", pgettext_lazy("promise", "Withdraw")),
                 ("break", pgettext_lazy("promise", "Broken")))


class CommitmentForm(BootstrapForm):
    """A promise made on the case page: by a date and time, or within working hours."""

    small = True
    kind = forms.ChoiceField(label=_("Kind of promise"), choices=Commitment.Kind.choices)
    description = forms.CharField(label=_("What was promised"), max_length=500)
    due_at = forms.DateTimeField(label=_("Due by"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    within_working_hours = forms.IntegerField(label=_("or within working hours"), required=False, min_value=1,
                                              max_value=1000)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("due_at") is None) == (data.get("within_working_hours") is None):
            raise forms.ValidationError(_("Give either a due time or a number of working hours."))
        return data


class CommitmentCloseForm(BootstrapForm):
    small = True
    action = forms.ChoiceField(choices=CLOSE_ACTIONS, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason / note"), max_length=2000, required=False)


class CommitmentFilterForm(BootstrapForm):
    small = True
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Commitment.Status.choices])
    kind = forms.ChoiceField(label=_("Kind of promise"), required=False,
                             choices=[("", _("All kinds")), *Commitment.Kind.choices])
    view = forms.ChoiceField(required=False, choices=(("all", _("All promises")), ("mine", _("Promises I made")),
                                                      ("follow_up", _("My follow-ups"))))
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "w-auto"}, format="%Y-%m-%d")


class KeptReportForm(BootstrapForm):
    small = True
    since = forms.DateField(label=_("From"), required=False, widget=_date_input())
    until = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=_date_input())
