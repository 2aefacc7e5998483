"""Attendance thresholds of the amount owed at exit (dated parameters) and the agents' validation permission."""

import datetime as dt

from django.db import migrations

from opencpf.core.roles import grant_permissions

SEED = [
    (
        "exit_low_attendance_threshold_bp",
        dt.date(2019, 1, 1),
        2_500,
        "basis_points",
        "Abandon : assiduité en dessous de laquelle l'organisme reçoit un forfait",
    ),
    (
        "exit_low_attendance_payment_bp",
        dt.date(2019, 1, 1),
        2_500,
        "basis_points",
        "Abandon avec faible assiduité : part du prix due à l'organisme",
    ),
    (
        "exit_full_attendance_threshold_bp",
        dt.date(2019, 1, 1),
        8_000,
        "basis_points",
        "Abandon : assiduité à partir de laquelle le prix est dû en totalité",
    ),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, value, unit, description in SEED:
        Parameter.objects.update_or_create(
            key=key,
            effective_from=effective_from,
            defaults={"value": value, "unit": unit, "description": description, "source": "cpf-rules.md"},
        )
    grant_permissions(
        apps,
        {
            "case_manager": ["enrolment.validate_service_done"],
            "controller": ["enrolment.validate_service_done"],
            "administrator": ["enrolment.validate_service_done"],
        },
    )


def unseed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, *_ in SEED:
        Parameter.objects.filter(key=key, effective_from=effective_from).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0004_exit_credit_and_validation"),
        ("core", "0002_seed_parameters"),
        ("identity", "0004_agent_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
