"""Two therapists acknowledging the same rise in pain at the same moment: one records it,
the other is told who did, and the history holds one acknowledgement."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinic.roles import THERAPIST
from messaging import services
from messaging.models import Feedback, Message
from tests.bad_input.conftest import tried
from tests.factories import MessageFactory, VisitFactory, staff_with_role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite allows one writer at a time, so acknowledgements never overlap; "
        "the row lock is exercised on PostgreSQL only",
    ),
]


def _pain_rise() -> Feedback:
    visit = VisitFactory(done=True, pain_before=2)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )
    return services.feedback_submit(message=check_in, pain=7)


def _acknowledge_at_once(rise: Feedback, staff: list) -> list:
    """Each member of staff acknowledges from their own thread and connection, together."""
    start = threading.Barrier(len(staff))
    outcomes: list = [None] * len(staff)

    def acknowledge(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = services.feedback_acknowledge(feedback=[rise], by=staff[index])
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=acknowledge, args=(i,)) for i in range(len(staff))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_two_therapists_acknowledging_at_once_record_one_acknowledgement(round_):
    tried("pain rise, concurrent acknowledgements")
    rise = _pain_rise()
    staff = [staff_with_role(THERAPIST) for _ in range(2)]

    outcomes = _acknowledge_at_once(rise, staff)

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    assert "was already acknowledged by" in refused[0].messages[0]
    rise.refresh_from_db()
    assert rise.acknowledged_by in staff
    assert rise.history.filter(history_type="~").count() == 1
