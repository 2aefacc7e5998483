"""Give the back-office roles (identity's groups) the enrolment permissions: every role reads dossiers;
case managers and fraud analysts may cancel one (with a reason)."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "support": ["view_dossier"],
    "case_manager": ["view_dossier", "cancel_dossier"],
    "controller": ["view_dossier"],
    "payment_officer": ["view_dossier"],
    "fraud_analyst": ["view_dossier", "cancel_dossier"],
    "administrator": ["view_dossier"],
}


def grant(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("enrolment")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="enrolment", codename__in=codenames))


def revoke(apps, schema_editor):  # type: ignore[no-untyped-def]
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="enrolment"))


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0001_initial"),
        ("identity", "0004_agent_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
