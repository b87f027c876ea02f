"""API shapes (django-ninja schemas), one module per noun: `customers`, `history`, `imports`, `dedupe`
and `merging`, each with the functions that turn a record into its output shape.

The customer shapes other apps embed are re-exported here (`guanxi.customers.schemas`)."""

from .customers import CustomerRowOut, RefOut, customer_row

__all__ = ["CustomerRowOut", "RefOut", "customer_row"]
