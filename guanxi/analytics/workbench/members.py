"""The segments' rule field `mining_selection` (registered in the app's `ready()`): a segment saved
from the workbench holds the customers frozen in a selection."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q


def mining_selection_q(op: str, value) -> Q:
    from ..models import MiningSelectionMember

    ids = value if isinstance(value, list) else [value]
    member = Q(Exists(MiningSelectionMember.objects.filter(customer_id=OuterRef("pk"), selection_id__in=ids)))
    return ~member if op in ("ne", "not_in") else member
