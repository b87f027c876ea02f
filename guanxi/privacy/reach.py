"""Which rows of the database are about one customer: every model whose foreign keys lead to the
customer within three steps (a case's messages, a survey's answers), found by walking the models'
foreign keys, so that a model added later is covered without being listed here. Historical
(audit) models are reached the same way through their own foreign keys.

The walk follows foreign keys from a row towards the customer, never back out of it (a product or a
team the customer's order names is not about the customer).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Q

from guanxi.customers.models import Customer

MAX_DEPTH = 3
# Rows of these models do not describe the customer: the customer table itself (handled field by
# field), and records of customers merged into it (each erased as a person of its own).
SKIPPED = frozenset({"customers.Customer"})


@dataclass(frozen=True)
class Reach:
    """A model and the lookups (`ticket__customer`, …) by which its rows reach the customer."""

    model: type[models.Model]
    paths: tuple[str, ...]

    @property
    def is_audit(self) -> bool:
        return is_historical(self.model)

    def rows(self, customer_ids: list[int]) -> models.QuerySet:
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{path}__in": customer_ids})
        return self.model._base_manager.filter(condition)


def is_historical(model) -> bool:
    return model.__name__.startswith("Historical") and hasattr(model, "instance_type")


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _paths(model, depth: int, seen: frozenset) -> list[str]:
    found = []
    for fk in _foreign_keys(model):
        target = fk.related_model
        if target is Customer:
            found.append(fk.name)
        elif depth > 1 and target not in seen and target._meta.app_label != "accounts":
            found += [f"{fk.name}__{rest}" for rest in _paths(target, depth - 1, seen | {target})]
    return found


@cache
def customer_reach() -> tuple[Reach, ...]:
    """Every model (with its lookups) whose rows are about a customer, in app and model order."""
    reach = []
    for model in apps.get_models():
        if model._meta.label in SKIPPED or not model._meta.managed:
            continue
        paths = _paths(model, MAX_DEPTH, frozenset({model}))
        if paths:
            reach.append(Reach(model, tuple(dict.fromkeys(paths))))
    return tuple(reach)
