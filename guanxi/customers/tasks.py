from celery import shared_task

from .services.search import customer_search_reindex


@shared_task(name="customers.reindex_search")
def reindex_customer_search(batch_size: int = 2000) -> int:
    return customer_search_reindex(batch_size=batch_size)
