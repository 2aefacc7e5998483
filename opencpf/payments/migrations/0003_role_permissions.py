"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "payment_officer": ["payments.view_providerbankaccount", "payments.approve_providerbankaccount"],
            "controller": ["payments.view_providerbankaccount"],
            "administrator": ["payments.view_providerbankaccount", "payments.approve_providerbankaccount"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_parameters"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
