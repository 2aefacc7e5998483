"""Disputes' deadlines (dated parameters, in business days) and the back-office permissions of this app."""

import datetime as dt

from django.db import migrations

from opencpf.core.roles import grant_permissions

PARAMETERS = [
    ("dispute_exchange_business_days", dt.date(2019, 1, 1), 10, "business_days", "Litiges : durée des échanges"),
    ("dispute_decision_business_days", dt.date(2019, 1, 1), 20, "business_days", "Litiges : délai de décision"),
]
_CONSOLE = ["support.search_holders", "support.view_dispute"]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, value, unit, description in PARAMETERS:
        Parameter.objects.update_or_create(
            key=key, effective_from=effective_from, defaults={"value": value, "unit": unit, "description": description}
        )
    grant_permissions(
        apps,
        {
            "support": [*_CONSOLE],
            "case_manager": [*_CONSOLE, "support.decide_dispute", "support.change_dispute", "support.view_dashboard"],
            "controller": [*_CONSOLE, "support.decide_dispute", "support.view_dashboard"],
            "fraud_analyst": [*_CONSOLE, "support.view_dashboard"],
            "payment_officer": ["support.view_dispute", "support.view_dashboard"],
            "administrator": [*_CONSOLE, "support.decide_dispute", "support.change_dispute", "support.view_dashboard"],
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "Parameter").objects.filter(key__in=[p[0] for p in PARAMETERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_disputes"),
        ("core", "0002_seed_parameters"),
        ("identity", "0004_agent_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
