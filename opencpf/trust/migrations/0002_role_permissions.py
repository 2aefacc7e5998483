"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "case_manager": ["trust.view_alert"],
            "controller": ["trust.view_alert", "trust.change_alert"],
            "fraud_analyst": ["trust.view_alert", "trust.change_alert"],
            "administrator": ["trust.view_alert", "trust.change_alert"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("trust", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
