"""Celery tasks: ids in, one service call each. The database row is the truth."""

from celery import shared_task
from django.conf import settings

from messaging import sending


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def dispatch_due_messages_task() -> int:
    """Beat runs this every few minutes; several at once are harmless."""
    return len(sending.messages_dispatch(enqueue=send_message_task.delay))


@shared_task(
    # From EMAIL_TIMEOUT; the settings refuse a lease that is not above them. No Celery
    # retry: a transient error puts the row back with its next attempt time.
    time_limit=settings.CLINIC_SEND_TIME_LIMIT,
    soft_time_limit=settings.CLINIC_SEND_SOFT_TIME_LIMIT,
    ignore_result=True,
)
def send_message_task(message_id: int, claim: str) -> str:
    return sending.message_send(message_id=message_id, claim=claim)
