"""The first rules' parameter set (its own copy of the numbers) and the controls' permissions for the roles."""

import datetime as dt

from django.db import migrations

from opencpf.core.roles import grant_permissions

PARAMS = {
    "alert_threshold": 0.6,
    "purchase_after_security_change": {"window_days": 10},
    "purchase_new_origin": {"min_history": 2},
    "first_purchase_after_activation": {"minutes": 30},
    "shared_origin": {"window_hours": 72, "min_accounts_ip": 4, "min_accounts_device": 3},
    "provider_same_ip": {"window_days": 14, "min_holders": 3},
    "dossier_spike": {"recent_days": 7, "baseline_weeks": 12, "min_recent": 12, "ratio": 4.0},
    "revenue_vs_size": {"window_days": 365, "max_cents_per_head": 15000000, "min_cents": 5000000},
    "short_hours": {"ratio": 0.4, "min_offers": 5, "min_providers": 3},
    "price_outlier": {"z": 3.5, "min_offers": 5, "min_ratio": 2.0},
    "outcome_rates": {
        "window_days": 365,
        "min_dossiers": 20,
        "max_cancel_rate": 0.4,
        "max_no_show_rate": 0.2,
        "max_partial_rate": 0.35,
    },
    "ratings": {"min_ratings": 10, "max_stdev": 0.12, "burst_hours": 48, "burst_share": 0.6},
    "holder_reports": {"window_days": 180, "min_reporters": 3},
    "new_provider_volume": {"referenced_within_days": 120, "window_days": 30, "min_dossiers": 40},
    "control_answer_business_days": 15,
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("trust", "RuleSet")
    RuleSet.objects.get_or_create(
        version="2026.1",
        defaults={
            "valid_from": dt.date(2020, 1, 1),
            "params": PARAMS,
            "note": "Première version",
            "created_at": dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        },
    )
    grant_permissions(
        apps,
        {
            "case_manager": ["trust.view_control"],
            "controller": ["trust.view_control", "trust.add_control", "trust.decide_control"],
            "fraud_analyst": ["trust.view_control", "trust.add_control"],
            "administrator": ["trust.view_control", "trust.add_control", "trust.decide_control"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("trust", "0003_rules_activity_controls")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
