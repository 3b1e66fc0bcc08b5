"""The staff roles (Reception, Therapist, Manager) as groups; see clinic/roles.py."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from clinic.roles import roles_sync

    alias = schema_editor.connection.alias
    # Django creates permissions after the whole migrate run; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = None
    roles_sync(apps=apps, using=alias)


def delete_roles(apps, schema_editor):
    from clinic.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0003_audit_trail_and_data_rights"),
        ("courses", "0002_audit_trail_and_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
