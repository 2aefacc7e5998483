"""The database refuses to change ledger rows: entries and transactions are append-only.

UPDATE is refused on both engines; DELETE too on PostgreSQL (test flushes there use TRUNCATE, which row
triggers do not see; SQLite flushes with DELETE, so only UPDATE is guarded there).
"""

from django.db import migrations

TABLES = ("rights_entry", "rights_ledgertransaction")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION rights_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ledger rows are append-only'; END $$"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION rights_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END"
            )


def drop(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {table}_append_only"
            + (f" ON {table}" if schema_editor.connection.vendor == "postgresql" else "")
        )


class Migration(migrations.Migration):
    dependencies = [("rights", "0002_account_fillfactor")]
    operations = [migrations.RunPython(create, drop)]
