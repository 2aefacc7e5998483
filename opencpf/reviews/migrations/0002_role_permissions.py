"""Grant this domain's permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "support": ["reviews.moderate_rating", "reviews.view_rating"],
            "case_manager": ["reviews.moderate_rating", "reviews.view_rating"],
            "administrator": ["reviews.moderate_rating", "reviews.view_rating"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("identity", "0004_agent_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
