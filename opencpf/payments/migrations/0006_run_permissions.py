"""Grant the payment runs' permissions to the agents' roles (see opencpf/core/roles.py)."""

from django.db import migrations

from opencpf.core.roles import grant_permissions


def seed(apps, schema_editor):
    grant_permissions(
        apps,
        {
            "payment_officer": ["payments.view_paymentrun", "payments.manage_paymentrun"],
            "controller": ["payments.view_paymentrun"],
            "administrator": ["payments.view_paymentrun", "payments.manage_paymentrun"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_payment_runs")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
