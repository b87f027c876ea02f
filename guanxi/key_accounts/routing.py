"""The red channel's (红色通道) router, registered with the service desk in `apps.ready()`: a fault or
complaint of an active key account goes to the rule's dedicated team, with at least its priority, under
the rule's own standards. One indexed lookup per case (the account by its customer); the rules are
cached and cleared when one is saved."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from guanxi.servicedesk.routing import Route

from .models import KeyAccount, RedChannelCase, RedChannelRule

RULES_CACHE_KEY = "key_accounts:red-channel-rules"
RULES_CACHE_SECONDS = 60


def _rules() -> list[RedChannelRule]:
    """The active rules with their standards (and calendars), most specific first: a tier's, then all."""
    rules = cache.get(RULES_CACHE_KEY)
    if rules is None:
        rules = list(
            RedChannelRule.objects.filter(is_active=True)
            .prefetch_related("standards__calendar")
            .order_by("tier_id", "id")
        )
        rules.sort(key=lambda r: (r.tier_id is None, r.pk))
        for rule in rules:
            rule.standard_list = tuple(s for s in rule.standards.all() if s.is_active)
        cache.set(RULES_CACHE_KEY, rules, RULES_CACHE_SECONDS)
    return rules


def rules_changed() -> None:
    cache.delete(RULES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(RULES_CACHE_KEY))


def rule_for(*, tier_id: int, ticket_type: str) -> RedChannelRule | None:
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
        account = (
            KeyAccount.objects.filter(customer_id=ticket.customer_id, is_active=True)
            .values_list("pk", "tier_id")
            .first()
        )
        if account is None:
            return None
        account_id, tier_id = account
        rule = rule_for(tier_id=tier_id, ticket_type=ticket.type)
        if rule is None:
            return None

        def record(created) -> None:
            RedChannelCase.objects.create(ticket=created, account_id=account_id, rule=rule, routed_at=timezone.now())

        return Route(team_id=rule.team_id, priority=rule.priority, standards=rule.standard_list, after_create=record)

    def reserved_standard_ids(self) -> frozenset[int]:
        return frozenset(s.pk for rule in _rules() for s in rule.standard_list)

    def __eq__(self, other) -> bool:
        return isinstance(other, RedChannelRouter)

    def __hash__(self) -> int:
        return hash(RedChannelRouter)


router = RedChannelRouter()
