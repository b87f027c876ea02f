from collections.abc import Callable

from django.db import transaction

from ..models import Customer
from .customers import refresh_name_keys


def customer_search_reindex(*, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the pinyin and initials of every customer, one transaction per batch (the keys
    are only derived, so a partial run is consistent and can simply be re-run)."""
    total = Customer.objects.count()
    done, last_id = 0, 0
    while True:
        batch = list(Customer.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "name")[:batch_size])
        if not batch:
            return done
        for customer in batch:
            refresh_name_keys(customer)
        with transaction.atomic():
            Customer.objects.bulk_update(batch, ["name_pinyin", "name_initials"])
        done += len(batch)
        last_id = batch[-1].pk
        if progress:
            progress(done, total)
