"""Shapes of the case pages' input (queue filters, a new case, replies, status, assignment, merge)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import user_list
from guanxi.core.versioning import VersionField

from ..enums import Channel, Priority, TicketStatus, TicketType
from ..models import TicketCategory, TicketMessage
from ..selectors.tickets import TICKET_ORDERING
from .base import BootstrapForm, any_choice

# The saved views of the queue: each a set of TicketFilter parameters ("open" = every open status).
QUEUE_VIEWS = (
    ("mine", _("My open cases")),
    ("team", _("My team's open cases")),
    ("new", _("Unassigned/new")),
    ("breached", _("Breached")),
    ("all", _("All open")),
)


class TicketFilterForm(BootstrapForm):
    view = forms.ChoiceField(choices=QUEUE_VIEWS, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=any_choice(_("All statuses")) + list(TicketStatus.choices))
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=any_choice(_("All types")) + list(TicketType.choices))
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=any_choice(_("All priorities")) + list(Priority.choices))
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    ordering = forms.CharField(max_length=40, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def clean_ordering(self):
        value = self.cleaned_data["ordering"].strip()
        return value if value.lstrip("-") in TICKET_ORDERING.allowed else ""


class TicketForm(BootstrapForm):
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.CONSULTATION)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)
    category = forms.ModelChoiceField(label=_("Category"), queryset=TicketCategory.objects.all(), required=False)
    description = forms.CharField(label=_("Description"), max_length=20_000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "customer"}


class MessageForm(BootstrapForm):
    # Staff never write as the customer: what a customer said is recorded as such.
    kind = forms.ChoiceField(label=_("Kind"), initial=TicketMessage.Kind.REPLY, choices=[
        (value, label) for value, label in TicketMessage.Kind.choices if value != TicketMessage.Kind.CUSTOMER])
    body = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False)


class TransitionForm(BootstrapForm):
    status = forms.ChoiceField(choices=TicketStatus.choices, widget=forms.HiddenInput)
    version = VersionField()
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == TicketStatus.PENDING_CUSTOMER and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what the customer needs to do."))
        return data


class AssignForm(BootstrapForm):
    small = True
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=user_list())
    version = VersionField()
    note = forms.CharField(label=_("Hand-over note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(BootstrapForm):
    small = True
    target = forms.CharField(label=_("Merge into case number"), max_length=20)
