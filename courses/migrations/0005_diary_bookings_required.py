import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0004_diary_bookings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalvisit',
            name='booked_minutes',
            field=models.PositiveSmallIntegerField(blank=True, help_text="How long the session occupies the diary. Empty: the course's length.", validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(240)], verbose_name='booked for (minutes)'),
        ),
        migrations.AlterField(
            model_name='historicalvisit',
            name='ends_at',
            field=models.DateTimeField(blank=True, editable=False, verbose_name='ends at'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='booked_minutes',
            field=models.PositiveSmallIntegerField(blank=True, help_text="How long the session occupies the diary. Empty: the course's length.", validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(240)], verbose_name='booked for (minutes)'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='ends_at',
            field=models.DateTimeField(blank=True, editable=False, verbose_name='ends at'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='therapist',
            field=models.ForeignKey(blank=True, limit_choices_to={'is_staff': True}, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to=settings.AUTH_USER_MODEL, verbose_name='therapist'),
        ),
        migrations.AddIndex(
            model_name='visit',
            index=models.Index(fields=['therapist', 'scheduled_at'], name='courses_vis_therapi_7e990f_idx'),
        ),
    ]
