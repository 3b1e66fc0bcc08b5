import secrets

from django.db import migrations, models

import patients.models


def give_each_patient_a_link_key(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    patients = list(Patient.objects.only("pk"))
    for patient in patients:
        patient.link_key = secrets.token_urlsafe(16)
    Patient.objects.bulk_update(patients, ["link_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0004_phone_numbers_in_e164'),
    ]

    operations = [
        migrations.AddField(
            model_name='consentchange',
            name='scope',
            field=models.CharField(choices=[('all', 'All messages'), ('repeat_course_reminders', 'Repeat-course reminders only')], default='all', max_length=30, verbose_name='messages'),
        ),
        migrations.AddField(
            model_name='historicalconsentchange',
            name='scope',
            field=models.CharField(choices=[('all', 'All messages'), ('repeat_course_reminders', 'Repeat-course reminders only')], default='all', max_length=30, verbose_name='messages'),
        ),
        migrations.AddField(
            model_name='historicalpatient',
            name='repeat_reminders_consent',
            field=models.BooleanField(default=True, editable=False, verbose_name='consents to repeat-course reminders'),
        ),
        # The default is computed once per migration: each existing patient gets a key of
        # their own first.
        migrations.AddField(
            model_name='patient',
            name='link_key',
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_each_patient_a_link_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='patient',
            name='link_key',
            field=models.CharField(db_index=True, default=patients.models.new_link_key, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='patient',
            name='repeat_reminders_consent',
            field=models.BooleanField(default=True, editable=False, verbose_name='consents to repeat-course reminders'),
        ),
    ]
