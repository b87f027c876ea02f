"""Forms of the catalogue pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from . import selectors
from .models import Kind, PriceUnit

ACTIVE_CHOICES = [("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))]


class ProductFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("Model code, name or brand"),
                                                      "type": "search"}))
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args, brands: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *selectors.category_choices()]
        self.fields["brand"].choices = [("", _("All brands")), *((b, b) for b in brands)]

    def filters(self) -> selectors.ProductFilter:
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data.get("active") or "")
        return selectors.ProductFilter(q=data.get("q") or "", brand=data.get("brand") or "",
                                       category_id=data.get("category"), kind=data.get("kind") or "",
                                       is_active=active)


class ProductForm(BootstrapForm):
    model_code = forms.CharField(label=_("Model code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    brand = forms.CharField(label=_("Brand"), max_length=50, required=False,
                            help_text=_("the maker's brand, e.g. 华星 or 华为"))
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("(none)")), *selectors.category_choices()]
        if editing:
            self.fields["model_code"].disabled = True


class PriceForm(BootstrapForm):
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=0, max_digits=12, decimal_places=2)
    unit = forms.ChoiceField(label=_("Price unit"), choices=PriceUnit.choices)
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))


class PartForm(BootstrapForm):
    code = forms.SlugField(label=_("Part code"), max_length=30)
    name = forms.CharField(label=_("Part name"), max_length=50)
