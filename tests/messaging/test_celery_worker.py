"""End to end with real parts: Redis, Celery worker processes and a local SMTP server.

Select them with ``-m celery_worker``; skip them with ``-m "not celery_worker"``.
"""

import datetime as dt
import logging
import time

import pytest
from django.db import connection
from django.utils import timezone

from courses import services as courses
from courses.models import Course
from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory, PatientFactory, VisitFactory
from tests.messaging.real_parts import (
    RedisServer,
    SMTPServer,
    Workers,
    flush_redis,
    publish_dispatch,
    wait_for,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp():
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with SMTPServer() as server:
        yield server


@pytest.fixture
def workers(smtp, tmp_path, request):
    flush_redis()
    env = getattr(request, "param", {})
    pool = Workers(smtp_port=smtp.port, log_dir=tmp_path, **env)
    yield pool
    pool.stop_all()
    flush_redis()


def statuses(**filters) -> dict[str, int]:
    rows = Message.objects.filter(**filters).values_list("status", flat=True)
    counts: dict[str, int] = {}
    for status in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


def due_messages(count: int) -> set[int]:
    """``count`` messages due a minute ago, made in one INSERT."""
    course = MessageFactory().course
    Message.objects.all().delete()
    due = timezone.now() - dt.timedelta(minutes=1)
    Message.objects.bulk_create(
        Message(
            kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
            patient=course.patient,
            course=course,
            number=n,
            due_at=due,
        )
        for n in range(1, count + 1)
    )
    return set(Message.objects.values_list("id", flat=True))


def assert_each_sent_once(smtp: SMTPServer, ids: set[int], report: str) -> None:
    """Every message reached the mail server once, by its id, and its row says sent."""
    received = smtp.inbox.message_ids()
    assert set(received) == ids, report
    assert max(received.values()) == 1, report
    assert statuses() == {"sent": len(ids)}, report


def dispatch_until_nothing_is_open(
    *, timeout: float, supervise: Workers | None = None, **publish
) -> bool:
    """Dispatch every second or so, as beat would, until every message is sent or given
    up, or ``timeout`` seconds have passed; with ``supervise``, start again any worker
    that exited, as a process supervisor would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if supervise is not None:
            supervise.restarted += supervise.restart_exited()
        publish_dispatch(**publish)
        if wait_for(lambda: not Message.objects.open().exists(), timeout=1, every=0.2):
            return True
    return not Message.objects.open().exists()


# A lease just above a 5 s attempt (EMAIL_TIMEOUT=1, a second for the end of DATA and
# one for the mark), so that claims left behind are taken again within seconds.
SHORT_LEASE = {
    "CLINIC_MESSAGE_LEASE_SECONDS": "7",
    "EMAIL_TIMEOUT": "1",
    "EMAIL_DATA_TIMEOUT": "1",
    "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "1",
    "CLINIC_DISPATCH_BATCH_SIZE": "50",
}


def test_a_completed_course_s_repeat_reminder_reaches_the_patient_through_the_worker(
    smtp, workers
):
    course = CourseFactory(start_date=timezone.localdate() - dt.timedelta(days=40))
    for n in range(1, 11):
        VisitFactory(
            course=course,
            sequence=n,
            done=True,
            scheduled_at=timezone.now() - dt.timedelta(days=11 - n),
        )
    courses.course_complete_early(course=course)
    reminder = Message.objects.get(kind=Message.Kind.REPEAT_COURSE_REMINDER)
    # Six months pass.
    Message.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    workers.start("one")

    publish_dispatch()

    assert wait_for(lambda: smtp.inbox.message_ids(), timeout=60), workers.logs()
    time.sleep(0.5)  # anything else sent would arrive now
    [received] = smtp.inbox.received
    reminder.refresh_from_db()
    assert int(received["X-Clinic-Message"]) == reminder.pk
    assert received["To"] == course.patient.email
    assert reminder.status == Message.Status.SENT
    # The follow-up is due in 14 days: still waiting, as is the next reminder.
    assert statuses(status=Message.Status.PENDING) == {"pending": 2}
    assert Course.objects.get().status == Course.Status.COMPLETED


@pytest.mark.parametrize("workers", [{"CLINIC_DISPATCH_BATCH_SIZE": "100"}], indirect=True)
def test_a_thousand_due_messages_dispatched_by_two_workers_at_once_go_out_exactly_once(
    smtp, workers
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises whole dispatches with its write lock, so two never claim "
            "at once; this runs on PostgreSQL (SKIP LOCKED)."
        )
    ids = due_messages(1000)
    workers.start("one")
    workers.start("two")

    started = time.monotonic()
    # More dispatches than needed, so both workers claim at the same time.
    publish_dispatch(times=16)
    done = wait_for(lambda: sum(smtp.inbox.message_ids().values()) >= 1000, timeout=180)
    elapsed = time.monotonic() - started
    time.sleep(1)  # anything sent twice would arrive now

    assert done, workers.logs()
    received = smtp.inbox.message_ids()
    assert set(received) == ids
    assert max(received.values()) == 1
    assert statuses() == {"sent": 1000}
    print(f"\nBENCHMARK 1000 messages, 2 workers x 2 processes: {elapsed:.1f}s")


@pytest.mark.parametrize("workers", [SHORT_LEASE], indirect=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_its_in_flight_messages(
    smtp, workers
):
    ids = due_messages(120)
    smtp.inbox.delay = 0.05  # a slow server, so the kill lands mid-send
    doomed = workers.start("doomed", concurrency=2)
    publish_dispatch(times=3)
    assert wait_for(lambda: sum(smtp.inbox.message_ids().values()) >= 20, timeout=60)

    workers.kill(doomed)  # SIGKILL to the worker and its pool processes
    # The kill landed mid-batch: claimed messages were left behind unsent.
    assert Message.objects.filter(status=Message.Status.SENDING).exists()
    workers.start("restarted", concurrency=2)
    # Beat keeps dispatching; expired claims are taken again.
    done = dispatch_until_nothing_is_open(timeout=60)
    time.sleep(1)  # anything sent twice would arrive now

    received = smtp.inbox.message_ids()
    assert done, f"{statuses()}\n{workers.logs(tail=60000)}"
    assert set(received) == ids, workers.logs()
    twice = sum(count - 1 for count in received.values())
    assert twice <= 2  # the README's promise: at most one per process of the killed worker
    assert statuses() == {"sent": 120}


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(log_dir=tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("workers", [SHORT_LEASE], indirect=True)
def test_a_redis_stopped_mid_batch_and_started_again_empty_loses_nothing_and_repeats_nothing(
    smtp, workers, own_redis
):
    ids = due_messages(150)
    smtp.inbox.delay = 0.05  # a slow server, so the stop lands mid-batch
    workers.env["CELERY_BROKER_URL"] = own_redis.url
    workers.start("one", concurrency=2)
    publish_dispatch(times=3, broker_url=own_redis.url)
    assert wait_for(lambda: sum(smtp.inbox.message_ids().values()) >= 20, timeout=60), (
        workers.logs()
    )

    own_redis.stop()  # the tasks waiting in it are gone with it
    left = Message.objects.open().count()
    time.sleep(2)
    own_redis.start()  # empty
    # Beat keeps dispatching into the new Redis; the claims whose tasks were lost are
    # taken again once their lease has run out.
    workers.restarted = []
    done = dispatch_until_nothing_is_open(timeout=60, supervise=workers, broker_url=own_redis.url)
    time.sleep(1)  # anything sent twice would arrive now

    report = f"{statuses()}, restarted {workers.restarted}\n{workers.logs(tail=60000)}"
    assert left > 0  # the stop landed mid-batch
    assert done, report
    assert_each_sent_once(smtp, ids, report)
    print(
        f"\nREDIS STOPPED with {left} of 150 messages open; "
        f"{workers.logs(tail=None).count('past their lease: claimed again')} dispatches "
        "took claims again; "
        f"workers that exited and were started again: {workers.restarted}"
    )


@pytest.mark.parametrize(
    "workers",
    # Waits of about 1, 2, 4, 8 s: the outage below outlasts several retries.
    [{"CLINIC_MESSAGE_RETRY_BACKOFF": "1"}],
    indirect=True,
)
def test_a_mail_server_refusing_for_a_while_delays_its_message_fails_nothing_holds_up_nothing(
    smtp, workers
):
    refused = PatientFactory(email="busy@example.test")
    stuck = MessageFactory(course__patient=refused, patient=refused)
    others = [MessageFactory(course=MessageFactory().course) for _ in range(3)]
    smtp.inbox.refuse.add("busy@example.test")
    workers.start("one")

    publish_dispatch()
    assert wait_for(lambda: {m.pk for m in others} <= set(smtp.inbox.message_ids()), timeout=60), (
        workers.logs()
    )
    # Beat dispatches every few seconds here; the refused message keeps coming back.
    while Message.objects.get(pk=stuck.pk).attempts < 3:
        publish_dispatch()
        time.sleep(1)
    smtp.inbox.refuse.clear()
    while not wait_for(
        lambda: Message.objects.filter(pk=stuck.pk, status=Message.Status.SENT).exists(),
        timeout=1,
    ):
        publish_dispatch()

    stuck.refresh_from_db()
    assert smtp.inbox.message_ids()[stuck.pk] == 1, workers.logs()
    assert stuck.attempts >= 4  # three refusals, then the one that went through
    assert set(statuses()) == {"sent"}  # nothing failed, nothing left
    # The others went out while the refused one waited, not after it.
    sent_last = max(
        Message.objects.filter(pk__in=[m.pk for m in others]).values_list("sent_at", flat=True)
    )
    assert sent_last < stuck.sent_at


# Half an hour of the defaults at a sixtieth: a 60 s first wait doubling to 5 minutes,
# beat every 2 minutes, a 30-minute refusal, become 1 s, 5 s, 2 s and 30 s. (The
# dispatch interval's floor is 5 s; the test dispatches every 2 s as the scaled beat.)
SIXTIETH = 60


@pytest.mark.parametrize(
    "workers",
    [
        {
            "CLINIC_MESSAGE_RETRY_BACKOFF": str(60 // SIXTIETH),
            "CLINIC_MESSAGE_RETRY_BACKOFF_MAX": str(300 // SIXTIETH),
            "CLINIC_DISPATCH_INTERVAL_SECONDS": "5",
        }
    ],
    indirect=True,
)
def test_a_mail_server_refusing_everything_for_half_an_hour_scaled_down_fails_nothing(
    smtp, workers
):
    ids = due_messages(30)
    smtp.inbox.refuse_all = True
    workers.start("one")
    refusal_ends = time.monotonic() + 30 * 60 / SIXTIETH
    while time.monotonic() < refusal_ends:
        publish_dispatch()
        time.sleep(120 / SIXTIETH)
    refused_attempts = sum(Message.objects.values_list("attempts", flat=True))
    smtp.inbox.refuse_all = False

    done = dispatch_until_nothing_is_open(timeout=60)
    time.sleep(1)  # anything sent twice would arrive now

    report = f"{statuses()}\n{workers.logs(tail=20000)}"
    assert done, report
    assert_each_sent_once(smtp, ids, report)
    # Every message was refused again and again through the outage, none given up.
    fewest = min(Message.objects.values_list("attempts", flat=True))
    assert fewest >= 5, report
    print(
        f"\nREFUSED for {30 * 60 / SIXTIETH:.0f}s: {refused_attempts} attempts refused, "
        f"each message tried at least {fewest} times, 0 failed"
    )


def test_a_mail_server_answering_the_end_of_data_after_the_command_timeout_gets_it_once(
    smtp, workers
):
    [message] = due_messages(1)
    smtp.inbox.delay = 7  # above the workers' EMAIL_TIMEOUT of 5 s
    workers.start("one")

    publish_dispatch()

    assert wait_for(
        lambda: Message.objects.filter(pk=message, status=Message.Status.SENT).exists(),
        timeout=60,
    ), workers.logs()
    assert smtp.inbox.message_ids() == {message: 1}
    assert len(smtp.inbox.taken) == 1


@pytest.mark.parametrize(
    "workers",
    # Lease just above a 9 s attempt: a 1 s command and DATA wait, 5 s for the mark.
    [
        {
            "CLINIC_MESSAGE_LEASE_SECONDS": "10",
            "EMAIL_TIMEOUT": "1",
            "EMAIL_DATA_TIMEOUT": "1",
            "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "5",
            "CLINIC_DISPATCH_BATCH_SIZE": "50",
        }
    ],
    indirect=True,
)
def test_the_workers_database_connections_terminated_mid_batch_lose_nothing_and_repeat_nothing(
    smtp, workers
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL.")
    ids = due_messages(200)
    smtp.inbox.delay = 0.02
    workers.start("one")
    workers.start("two")
    publish_dispatch(times=4)
    terminated = 0
    deadline = time.monotonic() + 240
    while Message.objects.open().exists() and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Every connection to the test database but this one: the workers'.
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated += cursor.fetchone()[0]
        publish_dispatch()
        time.sleep(0.5)
    time.sleep(1)

    assert terminated > 0
    assert_each_sent_once(smtp, ids, workers.logs())
    logs = workers.logs(tail=None)
    print(
        f"\nTERMINATED {terminated} worker connections mid-batch; "
        f"{logs.count('marking it sent failed')} marks tried again, "
        f"{logs.count('OperationalError')} database errors logged"
    )
