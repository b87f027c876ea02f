"""Shapes of the service desk pages' input; business rules stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Team
from guanxi.accounts.selectors import user_list

from .enums import CallbackOutcome, Channel, ComplaintSeverity, Priority, TicketStatus, TicketType
from .models import TicketCategory, TicketMessage
from .selectors import TICKET_ORDERING


def _any(label):
    return [("", label)]


class _BootstrapForm(forms.Form):
    small = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm" if self.small else "form-select"
            else:
                css = "form-control form-control-sm" if self.small else "form-control"
            field.widget.attrs.setdefault("class", css)


# The saved views of the queue: each a set of TicketFilter parameters ("open" = every open status).
QUEUE_VIEWS = (
    ("mine", _("My open cases")),
    ("team", _("My team's open cases")),
    ("new", _("Unassigned/new")),
    ("breached", _("Breached")),
    ("all", _("All open")),
)


class TicketFilterForm(_BootstrapForm):
    view = forms.ChoiceField(choices=QUEUE_VIEWS, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_any(_("All statuses")) + list(TicketStatus.choices))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_any(_("All types")) + list(TicketType.choices))
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=_any(_("All priorities")) + list(Priority.choices))
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    ordering = forms.CharField(max_length=40, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def clean_ordering(self):
        value = self.cleaned_data["ordering"].strip()
        return value if value.lstrip("-") in TICKET_ORDERING.allowed else ""


class TicketForm(_BootstrapForm):
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


class MessageForm(_BootstrapForm):
    # Staff never write as the customer: what a customer said is recorded as such.
    kind = forms.ChoiceField(label=_("Kind"), initial=TicketMessage.Kind.REPLY, choices=[
        (value, label) for value, label in TicketMessage.Kind.choices if value != TicketMessage.Kind.CUSTOMER])
    body = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False)


class TransitionForm(_BootstrapForm):
    status = forms.ChoiceField(choices=TicketStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == TicketStatus.PENDING_CUSTOMER and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what the customer needs to do."))
        return data


class AssignForm(_BootstrapForm):
    small = True
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=user_list())
    note = forms.CharField(label=_("Hand-over note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(_BootstrapForm):
    small = True
    target = forms.CharField(label=_("Merge into case number"), max_length=20)


class ComplaintOpenForm(_BootstrapForm):
    small = True
    severity = forms.ChoiceField(label=_("Severity"), choices=ComplaintSeverity.choices,
                                 initial=ComplaintSeverity.NORMAL)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintStepForm(_BootstrapForm):
    small = True
    stage = forms.CharField(max_length=20, widget=forms.HiddenInput)
    classification = forms.CharField(label=_("Classification"), max_length=100, required=False)
    responsible_team = forms.ModelChoiceField(label=_("Responsible department"), queryset=Team.objects.all(),
                                              required=False)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # Verifying is the callback (回访): what the customer said about the result.
    outcome = forms.ChoiceField(label=_("Callback outcome"), required=False, initial=CallbackOutcome.SATISFIED,
                                choices=[(o, label) for o, label in CallbackOutcome.choices
                                         if o in (CallbackOutcome.SATISFIED, CallbackOutcome.NEUTRAL)])


class ComplaintReopenForm(_BootstrapForm):
    small = True
    note = forms.CharField(label=_("Why the customer is not satisfied"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CallbackRecordForm(_BootstrapForm):
    small = True
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallbackOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)


class CategoryForm(_BootstrapForm):
    small = True
    name = forms.CharField(label=_("Name"), max_length=50)
    parent = forms.ModelChoiceField(label=_("Under"), queryset=TicketCategory.objects.all(), required=False,
                                    empty_label=_("(top level)"))
