"""Shapes of the profile sections' input on the customer page: contact points, addresses, contacts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..enums import AddressKind, ContactPointKind
from ..regions import PROVINCES


class _BootstrapForm(BootstrapForm):
    small = True  # the profile sections' forms sit inline on the customer page


class ContactPointForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactPointKind.choices)
    value = forms.CharField(label=_("Value"), max_length=254)
    label = forms.CharField(label=_("Label"), max_length=30, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class AddressForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AddressKind.choices)
    province = forms.ChoiceField(label=_("Province"), choices=[(p, p) for p in PROVINCES])
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    district = forms.CharField(label=_("District"), max_length=30, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=6, required=False)
    is_default = forms.BooleanField(label=_("Default"), required=False)


class ContactForm(_BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=50, required=False)
    department = forms.CharField(label=_("Department"), max_length=50, required=False)
    is_key_person = forms.BooleanField(label=_("Key person"), required=False)
