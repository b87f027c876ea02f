"""Spam protection of the public lead forms: a signed timestamp token (the form must have been shown
by this site, at least MIN_FILL_SECONDS and at most MAX_AGE before it is sent), a honeypot field,
and a rate limit per client address counted in Django's cache (shared by every worker on Redis)."""

from __future__ import annotations

import time

from django.core import signing
from django.core.cache import cache

SALT = "guanxi.marketing.public-form"
MIN_FILL_SECONDS = 3
MAX_AGE = 24 * 3600
RATE_LIMIT = 5  # submissions per address and window
RATE_WINDOW = 600  # seconds


def form_token(slug: str, *, now: float | None = None) -> str:
    """A token that says this form was shown at `now`."""
    return signing.dumps({"f": slug, "t": int(now if now is not None else time.time())}, salt=SALT)


def token_problem(token: str, slug: str, *, now: float | None = None) -> str | None:
    """None for a token of this form shown long enough ago; else "invalid", "too_fast" or "expired"."""
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return "invalid"
    if not isinstance(data, dict) or data.get("f") != slug or not isinstance(data.get("t"), int):
        return "invalid"
    age = (now if now is not None else time.time()) - data["t"]
    if age < MIN_FILL_SECONDS:
        return "too_fast"
    if age > MAX_AGE:
        return "expired"
    return None


def rate_limited(address: str, *, now: float | None = None) -> bool:
    """Count one submission from `address`; True when it is over RATE_LIMIT in the current window."""
    window = int((now if now is not None else time.time()) // RATE_WINDOW)
    key = f"gx:leadform:{address}:{window}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT
