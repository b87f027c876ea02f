"""Shape of a case category (业务分类)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TicketCategory
from .base import BootstrapForm


class CategoryForm(BootstrapForm):
    small = True
    name = forms.CharField(label=_("Name"), max_length=50)
    parent = forms.ModelChoiceField(label=_("Under"), queryset=TicketCategory.objects.all(), required=False,
                                    empty_label=_("(top level)"))
