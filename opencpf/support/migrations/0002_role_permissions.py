"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "support": ["support.view_ticket", "support.change_ticket", "support.view_report"],
            "case_manager": [
                "support.view_ticket",
                "support.change_ticket",
                "support.view_report",
                "support.change_report",
            ],
            "controller": ["support.view_report", "support.change_report"],
            "fraud_analyst": ["support.view_report", "support.change_report"],
            "payment_officer": ["support.view_ticket"],
            "administrator": [
                "support.view_ticket",
                "support.change_ticket",
                "support.view_report",
                "support.change_report",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
