"""Catalogue parameters: referencing check deadline and the plausibility bounds of an offer."""

import datetime as dt

from django.db import migrations

D = dt.date
SEED = [
    ("referencing_check_business_days", D(2019, 1, 1), 11, "business_days", "Délai d'instruction d'un référencement"),
    ("offer_max_hours", D(2019, 1, 1), 3_000, "hours", "Durée totale maximale plausible d'une offre"),
    ("offer_min_hourly_price_cents", D(2019, 1, 1), 100, "cents", "Prix horaire TTC minimal plausible"),
    ("offer_max_hourly_price_cents", D(2019, 1, 1), 50_000, "cents", "Prix horaire TTC maximal plausible"),
    ("offer_max_price_cents", D(2019, 1, 1), 5_000_000, "cents", "Prix total TTC maximal plausible"),
    ("offer_max_vat_rate_bp", D(2019, 1, 1), 2_000, "basis_points", "Taux de TVA maximal (écart TTC/HT)"),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, value, unit, description in SEED:
        Parameter.objects.update_or_create(
            key=key,
            effective_from=effective_from,
            defaults={"value": value, "unit": unit, "description": description, "source": "opencpf catalogue"},
        )


def unseed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, *_ in SEED:
        Parameter.objects.filter(key=key, effective_from=effective_from).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_referentials_referencing"), ("core", "0002_seed_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
