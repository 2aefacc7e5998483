"""PostgreSQL: leave room in account pages so balance updates are HOT (no index writes). No-op on SQLite."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE rights_account SET (fillfactor = 70)")


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE rights_account RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial")]
    operations = [migrations.RunPython(fillfactor, reset)]
