"""Back-office roles as Django groups with their permissions. Other domains add their own permissions to these
groups in their own migrations (see opencpf.identity.roles)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions
from opencpf.identity.roles import ROLE_PERMISSIONS


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant_permissions(apps, ROLE_PERMISSIONS)


def remove_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_alter_holder_options_alter_user_options_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalogue", "0001_initial"),
        ("core", "0002_seed_parameters"),
    ]

    operations = [migrations.RunPython(seed, remove_groups)]
