"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "administrator": ["core.view_parameter", "core.change_parameter", "core.view_auditevent"],
            **{
                role: ["core.view_parameter"]
                for role in ("support", "case_manager", "controller", "payment_officer", "fraud_analyst")
            },
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_seed_parameters"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
