import secrets

from django.db import migrations, models

import patients.models


def give_each_message_a_link_key(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    messages = list(Message.objects.only("pk"))
    for message in messages:
        message.link_key = secrets.token_urlsafe(16)
    Message.objects.bulk_update(messages, ["link_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0006_message_may_have_arrived'),
        ('patients', '0005_unsubscribe_from_repeat_reminders'),
    ]

    operations = [
        # The default is computed once per migration: each existing message gets a key of
        # its own first, then the column becomes unique.
        migrations.AddField(
            model_name='message',
            name='link_key',
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_each_message_a_link_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='message',
            name='link_key',
            field=models.CharField(default=patients.models.new_link_key, editable=False, max_length=32, unique=True),
        ),
    ]
