"""Celery tasks: ids in, one service call each. The database row is the truth."""

from celery import shared_task
from django.conf import settings

from messaging import sending


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def dispatch_due_messages_task() -> int:
    """Beat runs this every few minutes; several at once are harmless."""
    return len(sending.messages_dispatch(enqueue=send_messages_task.delay))


# The limits are one attempt's (from EMAIL_TIMEOUT; the settings refuse a lease that is
# not above them), so a batch starts another message only within its first half
# EMAIL_TIMEOUT: the last one started still has more than twice EMAIL_TIMEOUT, the wait
# for the end of DATA and the mark's time before the soft limit. What it could not
# start goes on in a new task, still claimed. No Celery retry: a transient error puts
# the row back with its next attempt time.
@shared_task(
    time_limit=settings.CLINIC_SEND_TIME_LIMIT,
    soft_time_limit=settings.CLINIC_SEND_SOFT_TIME_LIMIT,
    ignore_result=True,
)
def send_messages_task(message_ids: list[int], claim: str) -> int:
    outcomes, left = sending.messages_send(
        message_ids=message_ids, claim=claim, start_within=settings.EMAIL_TIMEOUT / 2
    )
    if left:
        send_messages_task.delay(left, claim)
    return len(outcomes)


@shared_task(
    time_limit=settings.CLINIC_SEND_TIME_LIMIT,
    soft_time_limit=settings.CLINIC_SEND_SOFT_TIME_LIMIT,
    ignore_result=True,
)
def send_message_task(message_id: int, claim: str) -> str:
    """One message: what dispatches before batches enqueued, still in Redis at an upgrade."""
    return sending.message_send(message_id=message_id, claim=claim)
