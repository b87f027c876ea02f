"""Forms of the sales settings (销售设置): the shape of the input only; the rules live in
services/configuration."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..models import DealReason, Outlet, Region
from ..selectors.configuration import sales_force


class StageForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    order = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=1000)
    probability = forms.IntegerField(label=_("Default win probability (%)"), min_value=0, max_value=100)
    is_won = forms.BooleanField(label=_("Won stage"), required=False)
    is_lost = forms.BooleanField(label=_("Lost stage"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ReasonForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DealReason.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ChannelForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("letters, digits, - and _"))
    name = forms.CharField(label=_("Name"), max_length=50)
    order = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=1000, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RegionForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Region.objects.none(), required=False,
                                    empty_label=_("(top level)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.order_by("name")


class OutletForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("name")


class RepAssignForm(BootstrapForm):
    small = True
    user = forms.ModelChoiceField(label=_("Representative"), queryset=None)
    outlet = forms.ModelChoiceField(label=_("Outlet"), queryset=None, required=False,
                                    help_text=_("the region follows the outlet"))
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = sales_force()
        self.fields["outlet"].queryset = Outlet.objects.filter(is_active=True).order_by("name")
        self.fields["region"].queryset = Region.objects.order_by("name")


class BigDealForm(BootstrapForm):
    small = True
    amount = forms.DecimalField(label=_("Big-deal alert from (¥)"), max_digits=14, decimal_places=2,
                                help_text=_("managers are alerted of deals and orders of this amount or more"))
