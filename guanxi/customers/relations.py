"""Every relation of other models to Customer, found through the model metadata: what a merge
re-points (客户合并), so that modules added later are covered without changes to the merge."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import Customer, CustomerMerge, MatchCandidate


@dataclass(frozen=True)
class Relation:
    """One foreign key (or one-to-one) of another model pointing at Customer."""

    model: type[models.Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"

    def key(self, customer: Customer):
        return getattr(customer, self.field.target_field.attname)

    def rows(self, customer: Customer):
        return self.model._base_manager.filter(**{self.field.attname: self.key(customer)})


def _is_excluded(model) -> bool:
    from simple_history.models import HistoricalChanges

    return (
        issubclass(model, HistoricalChanges)  # audit rows keep what they recorded
        or model in (MatchCandidate, CustomerMerge)  # pairs are decided, not moved; merges are the record
        or model._meta.auto_created is Customer  # Customer's own many-to-many (tags): unioned explicitly
    )


def customer_relations() -> list[Relation]:
    """Every foreign key and one-to-one from any installed model to Customer (hidden ones such as
    related_name="+" included), except audit history, duplicate pairs and merge records."""
    found = []
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if _is_excluded(rel.related_model):
            continue
        found.append(Relation(rel.related_model, rel.field))
    return sorted(found, key=lambda r: r.label)


def relation_by_label(label: str) -> Relation | None:
    """The relation a merge recorded as "app_label.model.field"; None when it no longer exists."""
    try:
        app_label, model_name, field_name = label.split(".")
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist):
        return None
    return Relation(model, field)


def customer_related_counts(customer: Customer) -> list[tuple[Relation, int]]:
    """How many rows of each relation point at the customer (relations without rows left out)."""
    return [(relation, n) for relation in customer_relations() if (n := relation.rows(customer).count())]
