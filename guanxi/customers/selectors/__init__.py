"""Reads, one module per noun, each scoped to what the caller's role may see: `customers` (lists,
search, one customer, personal-data masking), `history`, `imports`, `dedupe` and `merging`.

The customer reads other apps scope by are re-exported here (`guanxi.customers.selectors`)."""

from .customers import (
    CUSTOMER_ORDERING,
    CustomerFilter,
    CustomerResults,
    can_see_personal_data,
    customer_counts_by,
    customer_get_for_user,
    customer_list,
    customer_match_phone,
    customer_profile,
    customer_results,
    customer_visible_to,
)

__all__ = [
    "CUSTOMER_ORDERING", "CustomerFilter", "CustomerResults", "can_see_personal_data", "customer_counts_by",
    "customer_get_for_user", "customer_list", "customer_match_phone", "customer_profile", "customer_results",
    "customer_visible_to",
]
