"""Grant the adjustments' permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "support": ["rights.view_adjustment", "rights.propose_adjustment"],
            "controller": ["rights.view_adjustment"],
            "fraud_analyst": ["rights.view_adjustment"],
            "case_manager": ["rights.view_adjustment", "rights.propose_adjustment", "rights.approve_adjustment"],
            "administrator": ["rights.view_adjustment", "rights.propose_adjustment", "rights.approve_adjustment"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0006_adjustment"),
        ("identity", "0004_agent_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
