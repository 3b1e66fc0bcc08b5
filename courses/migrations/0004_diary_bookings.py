import datetime as dt

import django.core.validators
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

VALIDATORS = [
    django.core.validators.MinValueValidator(10),
    django.core.validators.MaxValueValidator(240),
]


def fill_bookings(apps, schema_editor):
    """Every visit booked so far occupies the clinic's usual length with the therapist
    it names, or its course's; its history says the same."""
    Course = apps.get_model("courses", "Course")
    minutes = settings.CLINIC_SESSION_MINUTES
    booking = {
        "booked_minutes": minutes,
        "ends_at": F("scheduled_at") + dt.timedelta(minutes=minutes),
    }
    for name in ("Visit", "HistoricalVisit"):
        apps.get_model("courses", name).objects.update(**booking)
    course_therapist = Course.objects.filter(pk=OuterRef("course_id")).values("therapist_id")
    apps.get_model("courses", "Visit").objects.filter(therapist=None).update(
        therapist_id=Subquery(course_therapist)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_pain_scores_are_whole_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="session_minutes",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=VALIDATORS,
                help_text="How long each session occupies the therapist's diary. Empty: the "
                "clinic's usual length.",
                verbose_name="session length (minutes)",
            ),
        ),
        migrations.AddField(
            model_name="historicalcourse",
            name="session_minutes",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=VALIDATORS,
                help_text="How long each session occupies the therapist's diary. Empty: the "
                "clinic's usual length.",
                verbose_name="session length (minutes)",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="booked_minutes",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="visit",
            name="ends_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="booked_minutes",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="ends_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill_bookings, migrations.RunPython.noop, elidable=True),
    ]
