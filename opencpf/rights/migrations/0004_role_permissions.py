"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "support": ["rights.view_difclaim"],
            "controller": ["rights.view_difclaim"],
            "case_manager": ["rights.view_difclaim", "rights.change_difclaim", "rights.add_ledgertransaction"],
            "administrator": ["rights.view_difclaim", "rights.change_difclaim", "rights.add_ledgertransaction"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0003_append_only_triggers"),
        ("identity", "0004_agent_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
