from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from .. import normalize
from ..models import ContactPoint, Customer
from .customers import search_document_for


def customer_search_reindex(*, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute pinyin, initials and search documents of every customer, one transaction per
    batch (rows are only derived, so a partial run is consistent and can simply be re-run)."""
    total = Customer.objects.count()
    done, last_id = 0, 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return done
        points = defaultdict(list)
        rows = ContactPoint.objects.filter(customer_id__in=[c.pk for c in batch]).values_list(
            "customer_id", "normalized"
        )
        for customer_id, value in rows:
            points[customer_id].append(value)
        for customer in batch:
            customer.name_pinyin = normalize.name_pinyin(customer.name)[:300]
            customer.name_initials = normalize.name_initials(customer.name)[:100]
            customer.search_document = search_document_for(customer, points[customer.pk])
        with transaction.atomic():
            Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials", "search_document"])
        done += len(batch)
        last_id = batch[-1].pk
        if progress:
            progress(done, total)
