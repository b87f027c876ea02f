from guanxi.core.jobs import job

from .services import messages_deliver_queued


# Idempotent: queued messages are locked (SKIP LOCKED) and marked sent in their batch's transaction; a killed batch
# is handed over again (at least once to the provider, never lost).
@job(name="messaging.deliver_queued")
def deliver_queued() -> int:
    """Hand the queued messages (bulk senders') to their backends."""
    return messages_deliver_queued()


# Idempotent: inbox rows are taken with SKIP LOCKED and marked applied in the transaction that records their answer;
# a killed batch leaves its rows pending for the next run.
@job(name="messaging.inbox_apply")
def inbox_apply() -> int:
    """Apply the pending inbound-SMS inbox (the hook only stores replies)."""
    from .inbound import sms_inbox_apply

    return sms_inbox_apply()
