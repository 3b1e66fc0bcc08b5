"""The messages a patient's history made, as the messaging services would have, in
every status, and the patients' answers with the staff alerts they raised."""

import datetime as dt
import uuid

from django.conf import settings

from courses.bench_seed.history import PatientRecord
from courses.bench_seed.sessions import CourseRecord, Seeding, link_key
from courses.models import Course, Visit
from messaging import timing
from messaging.models import Feedback, Message

# The clinic started sending messages this long ago: older sessions and courses have
# none. With 45 % of patients taking messages, this gives about 8 messages a patient.
MESSAGING_DAYS = 240
ANSWER_CHANCE = 0.3
# Of the messages due lately, a few the dispatch has not sent yet, or is sending (some
# past their lease: a worker died).
IN_HAND, IN_HAND_CHANCE = dt.timedelta(hours=24), 0.05
FAILED_CHANCE, UNCERTAIN_CHANCE = 0.03, 0.01
ACKNOWLEDGED_CHANCE = 0.8
SMTP_ERRORS = [
    "550 5.1.1 Recipient address rejected: mailbox unavailable",
    "552 5.2.2 Mailbox full",
    "554 5.7.1 Message rejected as spam",
]
COMMENTS = ["", "", "", "Much better, thank you.", "Still stiff in the mornings.", "Sore again."]


class MessageMaker:
    def __init__(self, seeding: Seeding) -> None:
        self.rng, self.ids, self.now = seeding.rng, seeding.ids, seeding.now
        self.since = self.now - dt.timedelta(days=MESSAGING_DAYS)
        self.follow_up = dt.timedelta(days=settings.CLINIC_FOLLOW_UP_DAYS)

    def make(self, history: PatientRecord) -> tuple[list[Message], list[Feedback], list[Message]]:
        """The patient's messages, answers, and the staff alerts answers raised."""
        self.messages: list[Message] = []
        self.answers: list[Feedback] = []
        self.alerts: list[Message] = []
        if not history.messaged:
            return self.messages, self.answers, self.alerts
        for position, record in enumerate(history.courses):
            following = (
                history.courses[position + 1] if position + 1 < len(history.courses) else None
            )
            for visit in record.visits:
                self._visit_messages(history, record, visit)
            if record.course.status == Course.Status.COMPLETED:
                self._course_messages(history, record, following)
        return self.messages, self.answers, self.alerts

    def _message(
        self,
        kind: str,
        history: PatientRecord,
        record: CourseRecord,
        *,
        due: dt.datetime,
        created: dt.datetime,
        visit: Visit | None = None,
        number: int = 1,
        cancelled_by: str = "",
    ) -> Message:
        """A message due at ``due`` in the status the dispatch would have left it in by now."""
        rng = self.rng
        message = Message(
            id=self.ids(Message),
            kind=kind,
            patient_id=history.patient.id,
            course_id=record.course.id,
            visit_id=visit.id if visit else None,
            number=number,
            due_at=due,
            link_key=link_key(rng),
            created_at=min(created, due, self.now),
        )
        # A reminder of a visit that has taken place is no longer sent: none is in hand.
        still_wanted = (
            kind != Message.Kind.VISIT_REMINDER or visit.status == Visit.Status.SCHEDULED
        )
        if cancelled_by:
            message.status, message.last_error = Message.Status.CANCELLED, cancelled_by
        elif due > self.now:
            message.status = Message.Status.PENDING
        elif due > self.now - IN_HAND and rng.random() < IN_HAND_CHANCE and still_wanted:
            # The dispatch has it in hand, or has not got to it yet.
            if rng.random() < 0.5:
                message.status = Message.Status.PENDING
            else:
                message.status, message.claim = (
                    Message.Status.SENDING,
                    uuid.UUID(int=rng.getrandbits(128)),
                )
                message.claimed_at = min(due + dt.timedelta(seconds=30), self.now)
                message.attempts = 1
        else:
            odds = rng.random()
            message.attempts = 1
            if odds < FAILED_CHANCE:
                message.status, message.attempts = Message.Status.FAILED, rng.randint(1, 5)
                message.last_error = rng.choice(SMTP_ERRORS)
            elif odds < FAILED_CHANCE + UNCERTAIN_CHANCE:
                message.status, message.attempts = Message.Status.UNCERTAIN, 2
                message.may_have_arrived = True
                message.last_error = "Connection lost after the message data was sent."
            else:
                message.status = Message.Status.SENT
                sent_at = due + dt.timedelta(seconds=rng.randint(5, 600))
                message.sent_at = min(sent_at, self.now)
        self.messages.append(message)
        return message

    def _visit_messages(self, history: PatientRecord, record: CourseRecord, visit: Visit) -> None:
        if visit.scheduled_at < self.since:
            return
        booked_at = record.course.created_at
        day_before = timing.same_time_days_later(visit.scheduled_at, -1)
        due = timing.next_sending_time(max(day_before, booked_at))
        if due < visit.scheduled_at:
            cancelled = visit.status == Visit.Status.CANCELLED
            self._message(
                Message.Kind.VISIT_REMINDER,
                history,
                record,
                due=due,
                created=booked_at,
                visit=visit,
                cancelled_by="The visit no longer takes place." if cancelled else "",
            )
        if visit.status != Visit.Status.DONE:
            return
        due = timing.next_sending_time(timing.same_time_days_later(visit.performed_at, 1))
        check_in = self._message(
            Message.Kind.POST_VISIT_CHECK_IN,
            history,
            record,
            due=due,
            created=visit.performed_at,
            visit=visit,
        )
        self._answer(history, record, check_in, visit=visit, pain_after=visit.pain_after)

    def _course_messages(
        self, history: PatientRecord, record: CourseRecord, following: CourseRecord | None
    ) -> None:
        course = record.course
        ended = timing.morning_of(course.end_date)
        if ended < self.since:
            return
        last_done = max(record.done, key=lambda v: (v.performed_at, v.sequence))
        follow_up = self._message(
            Message.Kind.END_OF_COURSE_FOLLOW_UP,
            history,
            record,
            due=timing.morning_of(course.end_date + self.follow_up),
            created=last_done.performed_at,
        )
        self._answer(history, record, follow_up, visit=None, pain_after=last_done.pain_after)
        if not (settings.CLINIC_MAX_REPEAT_REMINDERS and history.patient.repeat_reminders_consent):
            return
        # Reminder after reminder, each one interval after the last, until the patient
        # books again (the new course cancels the one waiting) or the maximum is sent.
        next_booked = following.course.created_at if following else None
        created, due_day = last_done.performed_at, course.end_date
        for number in range(1, settings.CLINIC_MAX_REPEAT_REMINDERS + 1):
            due_day = due_day + timing.repeat_course_interval()
            due = timing.morning_of(due_day)
            answered = next_booked is not None and next_booked < due
            reminder = self._message(
                Message.Kind.REPEAT_COURSE_REMINDER,
                history,
                record,
                due=due,
                created=created,
                number=number,
                cancelled_by="The patient has a new course." if answered else "",
            )
            if reminder.status != Message.Status.SENT:
                return
            created = reminder.sent_at

    def _answer(
        self,
        history: PatientRecord,
        record: CourseRecord,
        message: Message,
        *,
        visit: Visit | None,
        pain_after: int,
    ) -> None:
        rng = self.rng
        if message.status != Message.Status.SENT or rng.random() > ANSWER_CHANCE:
            return
        submitted = message.sent_at + dt.timedelta(minutes=rng.randint(10, 48 * 60))
        if submitted > self.now:
            return
        pain_before = (visit or max(record.done, key=lambda v: v.performed_at)).pain_before
        pain = max(0, min(10, pain_after + rng.choice([-1, 0, 0, 0, 1, 1, 2, 3])))
        answer = Feedback(
            id=self.ids(Feedback),
            message_id=message.id,
            patient_id=history.patient.id,
            course_id=record.course.id,
            visit_id=visit.id if visit else None,
            pain=pain,
            comment=rng.choice(COMMENTS),
            pain_before_visit=pain_before,
            raises_alert=pain >= pain_before + settings.CLINIC_PAIN_ALERT_RISE,
            submitted_at=submitted,
        )
        self.answers.append(answer)
        if not answer.raises_alert:
            return
        acknowledged = submitted + dt.timedelta(hours=rng.randint(1, 72))
        if acknowledged < self.now and rng.random() < ACKNOWLEDGED_CHANCE:
            answer.acknowledged_at, answer.acknowledged_by_id = (
                acknowledged,
                record.course.therapist_id,
            )
        alert = self._message(
            Message.Kind.STAFF_ALERT,
            history,
            record,
            due=timing.next_sending_time(submitted),
            created=submitted,
            visit=visit,
        )
        alert.feedback_id = answer.id
        # Inserted after the answers they point to.
        self.messages.pop()
        self.alerts.append(alert)
