"""Page forms of orders, contracts and payments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from .models import Payment

BIG_ID = 2**63 - 1


class OrderForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=BIG_ID)
    order_date = forms.DateField(label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Payment due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("empty: 30 days after the order date"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class LineForm(BootstrapForm):
    """One line of the order form (a formset row; rows are added with htmx)."""

    small = True
    product = forms.IntegerField(label=_("Product"), min_value=1, max_value=BIG_ID)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price (¥)"), max_digits=14, decimal_places=2, required=False,
                                    help_text=_("empty: the list price"))
    serial = forms.CharField(label=_("Serial number"), max_length=50, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1, validate_min=True, max_num=200)


class CancelForm(BootstrapForm):
    small = True
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PaymentForm(BootstrapForm):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=BIG_ID)
    amount = forms.DecimalField(label=_("Amount (¥)"), max_digits=14, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    order = forms.IntegerField(label=_("Apply to order (id)"), min_value=1, max_value=BIG_ID, required=False,
                               help_text=_("empty: keep it for later allocation"))
    is_overpayment = forms.BooleanField(label=_("Keep what is not owed as the customer's credit (overpayment)"),
                                        required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AgeingForm(forms.Form):
    by = forms.ChoiceField(choices=(("customer", _("By customer")), ("owner", _("By owner")), ("team", _("By team"))),
                           required=False)
