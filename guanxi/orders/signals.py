"""Signals of orders, for the apps above (warranty registers the sale of each serial delivered)."""

from django.dispatch import Signal

# Sent inside the delivering transaction, after the order is marked delivered:
# `order` (with its lines), `lines_with_serial` (OrderLine rows that carry a serial), `actor`.
order_delivered = Signal()
