import phonenumbers
import phonenumber_field.modelfields
from django.conf import settings
from django.db import migrations


def phones_to_e164(apps, schema_editor):
    """Every phone that reads as a valid number is rewritten in E.164.

    Any other is kept exactly as it was typed, never dropped or guessed at: the patient's
    page then refuses to save until someone corrects it, and this migration lists the
    records to check. The patients' history keeps the numbers as they were recorded.
    """
    Patient = apps.get_model("patients", "Patient")
    region = settings.PHONENUMBER_DEFAULT_REGION
    rewritten, kept = [], []
    for pk, phone in Patient.objects.exclude(phone="").values_list("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            kept.append(pk)
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 != phone:
            rewritten.append(Patient(pk=pk, phone=e164))
    Patient.objects.bulk_update(rewritten, ["phone"], batch_size=500)
    if kept:
        print(
            f"\n  {len(kept)} phone number(s) are not valid numbers and were kept as typed; "
            f"correct them on these patients' pages: {', '.join(map(str, sorted(kept)))}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0003_audit_trail_and_data_rights"),
    ]

    operations = [
        migrations.RunPython(phones_to_e164, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalpatient",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=32, region=None, verbose_name="phone"
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, max_length=32, region=None, verbose_name="phone"
            ),
        ),
    ]
