"""Writes of the administrator's value settings and strategic weights."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from guanxi.core.errors import ValidationFailed
from guanxi.customers.models import Customer

from .. import permissions
from ..enums import PyramidBasis
from ..models import StrategicWeight, ValueSettings

DECIMALS = {"vip_floor": (0, 10**10), "large_floor": (0, 10**10), "medium_floor": (0, 10**10),
            "abc_a_share": (0, 1), "abc_b_share": (0, 1), "clv_monthly_discount": (0, 1),
            "segment_growth_threshold": (-1, 100), "customer_growth_threshold": (-1, 100)}
WEIGHTS = ("weight_profit", "weight_strategic", "weight_loss", "weight_relationship", "weight_growth",
           "weight_time", "key_account_threshold")


def _bands(value, errors) -> str:
    try:
        edges = [Decimal(part.strip()) for part in str(value).split(",") if part.strip()]
    except InvalidOperation:
        errors["arpu_bands"] = "numbers separated by commas"
        return ""
    if not edges or len(edges) > 12 or any(e <= 0 for e in edges) or edges != sorted(set(edges)):
        errors["arpu_bands"] = "1 to 12 increasing positive numbers separated by commas"
    return ",".join(format(e.normalize(), "f") for e in edges)


@transaction.atomic
def value_settings_update(*, actor, data: dict) -> ValueSettings:
    """Change the thresholds of the value computation (administrators); effective at the next run."""
    permissions.require(actor, "value_settings", "configure", message="Only administrators change the value settings.")
    row = ValueSettings.objects.select_for_update().filter(pk=1).first() or ValueSettings(pk=1)
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name in DECIMALS:
            low, high = DECIMALS[name]
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                errors[name] = "not a number"
                continue
            if not number.is_finite() or not low <= number <= high:
                errors[name] = f"between {low} and {high}"
            setattr(row, name, number)
        elif name in WEIGHTS:
            if isinstance(value, bool) or not str(value).isdigit() or not 0 <= int(value) <= 100:
                errors[name] = "a whole number from 0 to 100"
            else:
                setattr(row, name, int(value))
        elif name == "pyramid_basis":
            if value not in PyramidBasis.values:
                errors[name] = f"one of: {', '.join(PyramidBasis.values)}"
            row.pyramid_basis = value
        elif name == "arpu_bands":
            row.arpu_bands = _bands(value, errors)
        else:
            errors[name] = "unknown field"
    if not errors:
        if not row.vip_floor >= row.large_floor >= row.medium_floor:
            errors["vip_floor"] = "VIP ≥ large ≥ medium"
        if row.abc_a_share + row.abc_b_share > 1:
            errors["abc_b_share"] = "A and B shares add up to at most 1"
        if sum(getattr(row, w) for w in WEIGHTS[:-1]) == 0:
            errors["weight_profit"] = "the weights must not all be zero"
    if errors:
        raise ValidationFailed(fields=errors)
    row.save()
    return row


@transaction.atomic
def strategic_weight_set(*, actor, customer: Customer, weight: int | None, reason: str = "") -> \
        StrategicWeight | None:
    """Set (0–100) or clear (None) how crucial a customer is to the company's goals; used by the
    key-account score from the next run."""
    permissions.require(actor, "strategic_weight", "write", message="Only administrators set strategic weights.")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed(fields={"reason": "at most 200 characters"})
    current = StrategicWeight.objects.select_for_update().filter(customer=customer).first()
    if weight is None:
        if current:
            current.delete()
        return None
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
        raise ValidationFailed(fields={"weight": "a whole number from 0 to 100"})
    if current is None:
        return StrategicWeight.objects.create(customer=customer, weight=weight, reason=reason)
    current.weight, current.reason = weight, reason
    current.save()
    return current
