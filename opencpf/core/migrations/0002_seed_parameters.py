"""Seed the dated parameters with the values in force (sources: ../shared/domain/cpf-rules.md).

Values are integers: cents, business days, calendar days, hours, basis points (10 000 = 100 %).
Agents edit them in the back-office; a new version is a new row with its effective date.
"""

import datetime as dt

from django.db import migrations

D = dt.date
SEED = [
    # key, effective_from, value, unit, description
    ("yearly_credit_cents", D(2019, 1, 1), 50_000, "cents", "Crédit annuel, au moins un mi-temps"),
    ("yearly_cap_cents", D(2019, 1, 1), 500_000, "cents", "Plafond du crédit annuel"),
    (
        "yearly_credit_low_qualification_cents",
        D(2019, 1, 1),
        80_000,
        "cents",
        "Crédit annuel majoré (sans niveau CAP, bénéficiaires de l'OETH)",
    ),
    ("yearly_cap_low_qualification_cents", D(2019, 1, 1), 800_000, "cents", "Plafond majoré"),
    ("reference_annual_hours", D(2019, 1, 1), 2_080, "hours", "Heures annuelles de référence (formule sans heures)"),
    ("half_time_threshold_bp", D(2019, 1, 1), 5_000, "basis_points", "Seuil du mi-temps ouvrant droit au crédit plein"),
    ("smic_hourly_cents", D(2022, 8, 1), 1_107, "cents", "SMIC horaire brut"),
    ("smic_hourly_cents", D(2023, 1, 1), 1_127, "cents", "SMIC horaire brut"),
    ("smic_hourly_cents", D(2023, 5, 1), 1_152, "cents", "SMIC horaire brut"),
    ("smic_hourly_cents", D(2024, 1, 1), 1_165, "cents", "SMIC horaire brut"),
    ("smic_hourly_cents", D(2024, 11, 1), 1_188, "cents", "SMIC horaire brut"),
    ("dif_hour_value_cents", D(2019, 1, 1), 1_500, "cents", "Valeur d'une heure de DIF"),
    ("dif_max_hours", D(2019, 1, 1), 120, "hours", "Heures de DIF reprises au plus"),
    ("corrective_topup_cents", D(2019, 1, 1), 300_000, "cents", "Abondement correctif (entretiens professionnels)"),
    ("copayment_cents", D(2024, 5, 2), 10_000, "cents", "Participation forfaitaire obligatoire"),
    ("copayment_cents", D(2025, 1, 1), 10_223, "cents", "Participation forfaitaire obligatoire (réindexée)"),
    ("provider_answer_business_days", D(2019, 1, 1), 2, "business_days", "Délai de réponse de l'organisme"),
    (
        "provider_answer_prerequisites_days",
        D(2019, 1, 1),
        30,
        "days",
        "Délai de réponse si prérequis (jours calendaires)",
    ),
    (
        "max_open_requests_per_training",
        D(2019, 1, 1),
        5,
        "count",
        "Demandes ouvertes au plus par titulaire et formation",
    ),
    ("holder_acceptance_business_days", D(2019, 1, 1), 4, "business_days", "Délai d'acceptation de la proposition"),
    ("min_business_days_before_start", D(2019, 1, 1), 11, "business_days", "Délai minimal entre proposition et entrée"),
    ("cooling_off_business_days", D(2019, 1, 1), 11, "business_days", "Délai de rétractation après validation"),
    ("entry_declaration_business_days", D(2019, 1, 1), 3, "business_days", "Déclaration d'entrée après le début"),
    ("exit_declaration_business_days", D(2019, 1, 1), 3, "business_days", "Déclaration de sortie après la fin"),
    (
        "service_done_validation_business_days",
        D(2019, 1, 1),
        5,
        "business_days",
        "Validation automatique du service fait",
    ),
    ("provider_payment_days", D(2019, 1, 1), 30, "days", "Délai de paiement de l'organisme (jours calendaires)"),
    ("free_cancellation_min_days_before_start", D(2019, 1, 1), 7, "days", "Annulation gratuite : jours avant l'entrée"),
    (
        "late_cancellation_compensation_bp",
        D(2019, 1, 1),
        500,
        "basis_points",
        "Dédommagement de l'organisme en cas d'annulation tardive",
    ),
    ("advance_rate_bp", D(2019, 1, 1), 3_000, "basis_points", "Avance à l'entrée (formations de plus de 3 mois)"),
    ("advance_min_duration_months", D(2019, 1, 1), 3, "months", "Durée ouvrant droit à une avance"),
    (
        "purchase_block_after_change_hours",
        D(2019, 1, 1),
        72,
        "hours",
        "Blocage des achats après changement de coordonnées",
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


def unseed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for key, effective_from, *_ in SEED:
        Parameter.objects.filter(key=key, effective_from=effective_from).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
