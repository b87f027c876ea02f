"""Outbound SMS and e-mail: every message is stored in an outbox and handed to a backend."""
