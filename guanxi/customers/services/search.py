from collections.abc import Callable

from django.db import transaction

from ..models import Customer
from .customers import refresh_name_keys


def customer_search_reindex(*, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the pinyin, initials and name words of every customer, one transaction per batch (the keys
    are only derived, so a partial run is consistent and can simply be re-run)."""
    total = Customer.objects.count()
    done, last_id = 0, 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "name", "kind")[:batch_size])
        if not batch:
            return done
        for customer in batch:
            refresh_name_keys(customer)
        with transaction.atomic():
            Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials", "name_terms"])
        done += len(batch)
        last_id = batch[-1].pk
        if progress:
            progress(done, total)
