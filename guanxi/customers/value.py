"""Customer value tiers (价值金字塔: VIP / large / medium / small)."""

from decimal import Decimal

from django.conf import settings

DEFAULT_TIER_FLOORS = {"vip": Decimal("500"), "large": Decimal("200"), "medium": Decimal("50")}


def value_tier(arpu: Decimal | float | int) -> str:
    """The tier a monthly ARPU falls in; the floors are configurable (VALUE_TIER_ARPU_FLOORS)."""
    floors = getattr(settings, "VALUE_TIER_ARPU_FLOORS", DEFAULT_TIER_FLOORS)
    arpu = Decimal(str(arpu))
    for tier in ("vip", "large", "medium"):
        if arpu >= Decimal(str(floors[tier])):
            return tier
    return "small"
