"""The red channel's (红色通道) router, registered with the service desk in `apps.ready()`: a fault or
complaint of an active key account goes to the rule's dedicated team, with at least its priority, under
the rule's own standards. One indexed lookup per case (the account by its customer); the rules are
cached and cleared when one is saved."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from guanxi.servicedesk.routing import Route
from guanxi.servicedesk.services.clocks import active_standards

from .models import KeyAccount, RedChannelCase, RedChannelRule

RULES_CACHE_KEY = "key_accounts:red-channel-rules"
RULES_CACHE_SECONDS = 60


@dataclass(frozen=True)
class CachedRule:
    """What routing needs of a rule, small enough to cache and read on every case."""

    pk: int
    tier_id: int | None
    ticket_types: frozenset
    team_id: int
    priority: int
    standard_ids: frozenset


def _rules() -> list[CachedRule]:
    """The active rules, most specific first (a tier's, then every tier's); cached."""
    rules = cache.get(RULES_CACHE_KEY)
    if rules is None:
        rows = RedChannelRule.objects.filter(is_active=True).prefetch_related("standards").order_by("id")
        rules = [
            CachedRule(r.pk, r.tier_id, frozenset(r.ticket_types), r.team_id, r.priority,
                       frozenset(s.pk for s in r.standards.all() if s.is_active))
            for r in rows
        ]
        rules.sort(key=lambda r: (r.tier_id is None, r.pk))
        cache.set(RULES_CACHE_KEY, rules, RULES_CACHE_SECONDS)
    return rules


def rules_changed() -> None:
    cache.delete(RULES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(RULES_CACHE_KEY))


def rule_for(*, tier_id: int, ticket_type: str) -> CachedRule | None:
    for rule in _rules():
        if (rule.tier_id is None or rule.tier_id == tier_id) and ticket_type in rule.ticket_types:
            return rule
    return None


class RedChannelRouter:
    """The service desk's `CaseRouter` for key accounts."""

    def route(self, ticket) -> Route | None:
        rules = _rules()
        if not rules or ticket.customer_id is None:
            return None
        if not any(ticket.type in rule.ticket_types for rule in rules):
            return None  # a consultation of a key account: no lookup at all
        found = list(  # the unique customer index; no ordering (the model's would join the tiers)
            KeyAccount.objects.filter(customer_id=ticket.customer_id, is_active=True)
            .order_by()
            .values_list("pk", "tier_id")[:1]
        )
        if not found:
            return None
        account_id, tier_id = found[0]
        rule = rule_for(tier_id=tier_id, ticket_type=ticket.type)
        if rule is None:
            return None

        def record(created) -> None:
            RedChannelCase.objects.create(
                ticket=created, account_id=account_id, rule_id=rule.pk, routed_at=timezone.now()
            )

        # the standards come from the service desk's own cache of active standards (read for every case)
        standards = tuple(s for s in active_standards() if s.pk in rule.standard_ids)
        return Route(team_id=rule.team_id, priority=rule.priority, standards=standards, after_create=record)

    def reserved_standard_ids(self) -> frozenset[int]:
        return frozenset().union(*(rule.standard_ids for rule in _rules()))

    def __eq__(self, other) -> bool:
        return isinstance(other, RedChannelRouter)

    def __hash__(self) -> int:
        return hash(RedChannelRouter)


router = RedChannelRouter()
