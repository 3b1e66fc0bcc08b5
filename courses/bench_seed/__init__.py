"""A chain's worth of data for the benchmark (``manage.py seed_bench``).

About 3 courses, 35 visits and 8 messages a patient over three years ending around
today, written with bulk inserts: the services would take hours at this size. The rows
still obey every rule the services and the models enforce (one open course per patient
and region, no therapist booked twice, a session done only once its time has come,
messages as the dispatch would have left them), which the tests check on a small seed.

A seeded generator makes the same data for the same seed, except for the dates, which
follow today so that the data always looks current, and what the time of day decides
(whether today's sessions are over yet, and what follows from that).
"""

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from clinic.timeutils import clinic_today
from courses.bench_seed.clinic import (
    MANAGER_USERNAME,
    Diary,
    closed_days,
    hours_save,
    staff_save,
    therapist_count,
)
from courses.bench_seed.history import (
    PatientHistoryMaker,
    PatientRecord,
    contraindication_catalogue,
)
from courses.bench_seed.messages import MessageMaker
from courses.bench_seed.sessions import Ids, Seeding
from courses.models import Course, Visit
from courses.services import course_summaries_recompute
from messaging.models import Feedback, Message
from patients.models import ConsentChange, Patient, PatientContraindication

SEED = 13
# Patients generated between two rounds of inserts: bounds the memory (about 40,000
# rows at a time) while keeping the inserts few and large.
PATIENTS_PER_ROUND = 1000
INSERT_BATCH = 2000
# In the order they are inserted: each refers only to rows inserted before it.
MODELS: list[type[models.Model]] = [
    Patient,
    ConsentChange,
    PatientContraindication,
    Course,
    Visit,
    Message,
    Feedback,
]
# Set by the seed to when the row would have been written; Django would stamp now.
GIVEN_TIMESTAMPS = [
    (Patient, "created_at"),
    (Course, "created_at"),
    (Message, "created_at"),
    (Feedback, "submitted_at"),
]


class SeedRefused(Exception):
    """The database already holds a clinic's data."""


@dataclass
class SeedReport:
    seconds: float
    rows: dict[str, int]


@dataclass
class _Round:
    """Rows made but not inserted yet, by model; staff alerts go in after the answers
    they point to."""

    rows: dict[type[models.Model], list[models.Model]] = field(
        default_factory=lambda: {model: [] for model in MODELS}
    )
    alerts: list[Message] = field(default_factory=list)

    def add(
        self,
        history: PatientRecord,
        messages: list[Message],
        answers: list[Feedback],
        alerts: list[Message],
    ) -> None:
        self.rows[Patient].append(history.patient)
        self.rows[ConsentChange].extend(history.consents)
        self.rows[PatientContraindication].extend(history.contraindications)
        for record in history.courses:
            self.rows[Course].append(record.course)
            self.rows[Visit].extend(record.visits)
        self.rows[Message].extend(messages)
        self.rows[Feedback].extend(answers)
        self.alerts.extend(alerts)

    def insert(self) -> None:
        for model, rows in [*self.rows.items(), (Message, self.alerts)]:
            _insert(model, rows)
            rows.clear()


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """``bulk_create``, or on PostgreSQL ``COPY``: several times less work in Python
    and for the server (no statement to build and parse)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        return
    fields = model._meta.concrete_fields
    # Django's own fields hold values psycopg writes as they are (str, int, dates,
    # UUIDs, None); JSON and other packages' fields (phone numbers) need converting.
    prepare = [
        None
        if type(f).__module__.startswith("django.db.models")
        and not isinstance(f, models.JSONField)
        else f.get_db_prep_save
        for f in fields
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    getattr(row, f.attname)
                    if prep is None
                    else prep(getattr(row, f.attname), connection)
                    for f, prep in zip(fields, prepare, strict=True)
                ]
            )


def seed_refusal() -> str | None:
    """Why the seed must not run on this database, or None."""
    if Patient.objects.exists():
        return _(
            "This database already has patients: seed_bench only fills an empty database "
            "(made for the benchmark: createdb, then migrate), never a clinic's own."
        )
    if get_user_model().objects.filter(username=MANAGER_USERNAME).exists():
        return _("This database was seeded before (%(name)s exists).") % {"name": MANAGER_USERNAME}
    return None


@contextmanager
def _given_timestamps() -> Iterator[None]:
    """Keep the creation times the seed sets instead of Django's now (``auto_now_add``)."""
    fields = [model._meta.get_field(name) for model, name in GIVEN_TIMESTAMPS]
    for model_field in fields:
        model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field in fields:
            model_field.auto_now_add = True


def seed_bench(
    *, patients: int, seed: int = SEED, password: str | None = None, progress: bool = False
) -> SeedReport:
    """Fill an empty database with ``patients`` patients and all that goes with them;
    the staff sign in with ``password`` if one is given."""
    refusal = seed_refusal()
    if refusal:
        raise SeedRefused(refusal)
    started = time.monotonic()
    rng = random.Random(seed)
    now, today = timezone.now(), clinic_today()
    with transaction.atomic(), _given_timestamps():
        manager, therapists = staff_save(
            therapists=therapist_count(patients), rng=rng, password=password
        )
        closed = closed_days(today)
        holidays = hours_save(therapists=therapists, today=today, closed=closed)
        last_ids = {
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in MODELS
        }
        seeding = Seeding(
            rng=rng,
            ids=Ids(last_ids),
            diary=Diary(therapists=len(therapists), closed=set(closed), holidays=holidays),
            therapist_ids=[user.pk for user in therapists],
            now=now,
            today=today,
        )
        histories = PatientHistoryMaker(
            seeding, manager_id=manager.pk, catalogue=contraindication_catalogue()
        )
        messages = MessageMaker(seeding)
        pending = _Round()
        with tqdm(total=patients, unit=" patients", file=sys.stderr, disable=not progress) as bar:
            for number in range(patients):
                # A generator seeded anew for each patient: what the time of day changes
                # (the sessions over by now, their replacements) stays with the patient
                # instead of changing every patient after.
                rng.seed(f"{seed}:{number}")
                history = histories.make(number)
                pending.add(history, *messages.make(history))
                if (number + 1) % PATIENTS_PER_ROUND == 0 or number + 1 == patients:
                    pending.insert()
                    bar.update(number + 1 - bar.n)
        _sequences_reset()
        finish()
    if connection.vendor == "postgresql":
        # A running clinic's tables are kept vacuumed by autovacuum; straight after a
        # bulk load the visibility map is empty, every index-only scan reads the table
        # too, and pages would be measured slower than any clinic sees them. VACUUM
        # cannot run inside a transaction (a test's): the statistics are enough there.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return SeedReport(
        seconds=time.monotonic() - started,
        rows={model._meta.label: model.objects.count() for model in MODELS},
    )


def _sequences_reset() -> None:
    """Set the id sequences past the ids the seed gave, so the next insert gets a new one."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)


def finish() -> None:
    """Recompute what the services keep up to date on every write and the bulk inserts
    above went around: any value stored for the sake of reading it fast (a column
    summing up a course's sessions, say) is computed here, in bulk, from the rows
    inserted."""
    course_summaries_recompute()


def visits_on(day: dt.date) -> int:
    """How many sessions are booked on ``day`` (the command's summary)."""
    return Visit.objects.filter(scheduled_at__date=day).count()
