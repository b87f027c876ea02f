"""Forms of the sales expense pages (shape only; the rules live in services/expenses)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.roles import Scope
from guanxi.core.forms import BootstrapForm

from .. import permissions
from ..models import SalesChannel, SalesExpense
from ..selectors.configuration import sales_force

MAX_ID = 2**63 - 1


def reps_for(user):
    """Whom `user` may enter expenses for: oneself, one's team (managers), everyone (administrators)."""
    reach = permissions.scope(user, "expense", "write")
    people = sales_force()
    if reach is Scope.ALL:
        return people
    if reach is Scope.TEAM and user.team_id:
        return people.filter(team_id=user.team_id)
    return people.filter(pk=user.pk)


class ExpenseForm(BootstrapForm):
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    rep = forms.ModelChoiceField(label=_("Representative"), queryset=None, empty_label=None)
    category = forms.ChoiceField(label=_("Category"), choices=SalesExpense.Category.choices)
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2)
    opportunity = forms.IntegerField(label=_("Opportunity number"), required=False, min_value=1, max_value=MAX_ID)
    customer = forms.IntegerField(label=_("Customer number"), required=False, min_value=1, max_value=MAX_ID,
                                  help_text=_("empty: the opportunity's customer"))
    channel = forms.ModelChoiceField(label=_("Sales method"), queryset=None, required=False,
                                     help_text=_("empty: the opportunity's"))
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps_for(user)
        self.fields["channel"].queryset = SalesChannel.objects.filter(is_active=True)
        if editing:
            del self.fields["rep"]


class ExpenseFilterForm(BootstrapForm):
    small = True
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rep = forms.ModelChoiceField(label=_("Representative"), queryset=None, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *SalesExpense.Category.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps_for(user) if permissions.scope(
            user, "expense", "read") is not Scope.ALL else sales_force()
