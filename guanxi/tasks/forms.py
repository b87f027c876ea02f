"""Shapes of the task pages' forms; the rules stay in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import Team, User
from guanxi.core.forms import BootstrapForm

from .kinds import kind_choices
from .models import Task

REMIND_CHOICES = (("", _("No reminder")), ("15", _("15 minutes before")), ("30", _("30 minutes before")),
                  ("60", _("1 hour before")), ("1440", _("1 day before")))
LOCAL_INPUT = {"type": "datetime-local"}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label, required=False):
    return forms.DateTimeField(label=label, required=required,
                               widget=forms.DateTimeInput(attrs=LOCAL_INPUT, format=LOCAL_FORMAT))


def _people():
    return User.objects.filter(is_active=True).order_by("display_name", "username")


class TaskForm(BootstrapForm):
    """Create or edit a task: what, when, for whom (on a customer: its id, from the customer page)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=kind_choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    start_at = _moment(_("Starts at"))
    due_at = _moment(_("Due at"), required=True)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Task.Priority.choices, coerce=int,
                                      initial=Task.Priority.NORMAL)
    remind = forms.ChoiceField(label=_("Reminder"), choices=REMIND_CHOICES, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def clean(self):
        data = super().clean()
        start, due = data.get("start_at"), data.get("due_at")
        if start and due and start > due:
            self.add_error("due_at", _("the due time is before the start"))
        return data


class TaskCreateForm(TaskForm):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False,
                                      empty_label=_("Me"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people()


class TaskCompleteForm(BootstrapForm):
    small = True
    outcome = forms.CharField(label=_("Outcome"), max_length=5000, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("Outcome (optional)")}))


class TaskCancelForm(BootstrapForm):
    small = True
    reason = forms.CharField(label=_("Reason"), max_length=5000)


class TaskReassignForm(BootstrapForm):
    small = True
    assignee = forms.ModelChoiceField(label=pgettext_lazy("hand-over", "To"), queryset=User.objects.none(),
                                      required=False, empty_label=_("(the team)"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False,
                                  empty_label=_("(the person's team)"))
    note = forms.CharField(label=_("Hand-over note"), max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people()


class TaskFilterForm(BootstrapForm):
    small = True
    view = forms.ChoiceField(required=False, choices=(("mine", _("Mine")), ("team", _("My team")),
                                                      ("all", _("All I can see"))))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Task.Status.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=lambda: [("", _("All kinds")), *kind_choices()])
    q = forms.CharField(label=_("Subject"), required=False, max_length=100)
    due_after = forms.DateField(label=_("Due from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_before = forms.DateField(label=pgettext_lazy("period", "To"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class CalendarForm(BootstrapForm):
    small = True
    view = forms.ChoiceField(required=False, choices=(("month", _("Month")), ("week", _("Week"))))
    date = forms.DateField(required=False)
    team = forms.BooleanField(required=False)
