"""The scopes an app's permission table speaks of (see `guanxi.accounts.access`): which records
(by their owner and team) a role reaches. Each app's `permissions.py` says what each role may do
within them; the customers' table is `guanxi.customers.permissions`."""

from enum import Enum


class Scope(Enum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"
