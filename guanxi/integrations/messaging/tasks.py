from guanxi.core.jobs import job

from .services import messages_deliver_queued


@job(name="messaging.deliver_queued")
def deliver_queued() -> int:
    """Hand the queued messages (bulk senders') to their backends."""
    return messages_deliver_queued()
