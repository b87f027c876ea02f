"""Signals of the service desk, for the apps above (surveys send a post-case survey and record
repair callbacks as phone surveys)."""

from django.dispatch import Signal

# Sent inside the closing transaction, after the case is saved as closed: `ticket`, `actor`, `at`.
ticket_closed = Signal()
# Sent inside the recording transaction, after the callback is saved: `callback` (with its ticket),
# `actor`, `at`.
callback_recorded = Signal()
