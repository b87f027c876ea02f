"""Shapes of a customer's history input on the customer page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import Direction, InteractionChannel
from .profile import _BootstrapForm


class InteractionForm(_BootstrapForm):
    """A contact taken down on the customer page (客户接触记录)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    content = forms.CharField(label=_("Notes"), max_length=20_000, required=False,
                              widget=forms.Textarea(attrs={"rows": 1}))
