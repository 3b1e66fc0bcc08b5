"""Two therapists acknowledging the same rise in pain at the same moment: one records it,
the other is told who did, and the history holds one acknowledgement."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError

from clinic.roles import THERAPIST
from messaging import services
from messaging.models import Feedback
from tests.bad_input.conftest import at_once, postgresql_only, tried
from tests.factories import CheckInFactory, staff_with_role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only("acknowledgements"),
]


def _pain_rise() -> Feedback:
    return services.feedback_submit(message=CheckInFactory(visit__pain_before=2), pain=7)


@pytest.mark.parametrize("round_", range(3))
def test_two_therapists_acknowledging_at_once_record_one_acknowledgement(round_):
    tried("pain rise, concurrent acknowledgements")
    rise = _pain_rise()
    staff = [staff_with_role(THERAPIST) for _ in range(2)]

    outcomes = at_once(
        [partial(services.feedback_acknowledge, feedback=[rise], by=by) for by in staff]
    )

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    assert "was already acknowledged by" in refused[0].messages[0]
    rise.refresh_from_db()
    assert rise.acknowledged_by in staff
    assert rise.history.filter(history_type="~").count() == 1
