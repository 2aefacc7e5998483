import datetime as dt

from django.db import migrations

SEED = [
    ("iban_change_hold_days", dt.date(2019, 1, 1), 5, "days", "Suspension des paiements après un changement d'IBAN"),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, value, unit, description in SEED:
        Parameter.objects.update_or_create(
            key=key, effective_from=effective_from, defaults={"value": value, "unit": unit, "description": description}
        )


def unseed(apps, schema_editor):
    apps.get_model("core", "Parameter").objects.filter(key__in=[s[0] for s in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("core", "0002_seed_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
