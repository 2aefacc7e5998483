"""A scratch PostgreSQL database for a benchmark: created from DATABASE_URL's server, migrated, dropped after.

The benchmark body runs in a child process (`python -m bench.<name> --child ...`) so that Django is set up
on the scratch database whatever the parent process already set up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg


def base_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(_with_db(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True)


@contextmanager
def scratch_database(suffix: str) -> Iterator[str]:
    url = base_url()
    assert url is not None
    name = (urlsplit(url).path.lstrip("/") or "opencpf") + "_bench_" + suffix
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_db(url, name)
    finally:
        with _admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(module: str, db_url: str, args: list[str]) -> int:
    env = dict(os.environ, DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="config.settings.dev", LOG_LEVEL="WARNING")
    return subprocess.call([sys.executable, "-m", module, "--child", *args], env=env)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def post_opening_balances(cur: object) -> None:
    """Post the holders' seeded `rights` balances as one balanced opening transaction against the operator,
    so that `verify_ledger` holds on the benchmark's data."""
    cur.execute(  # type: ignore[attr-defined]
        "INSERT INTO rights_account (kind, nir_hash, certification_code, reference, balance_cents, created_at) "
        "VALUES ('operator_funding', '', '', 'opening', 0, now())"
    )
    cur.execute(  # type: ignore[attr-defined]
        "INSERT INTO rights_ledgertransaction (idempotency_key, kind, reference, label, posted_at, amount_cents) "
        "VALUES ('bench-opening', 'credit_year', '', 'Solde d''ouverture', now(), 0)"
    )
    cur.execute(  # type: ignore[attr-defined]
        "INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
        "SELECT (SELECT id FROM rights_ledgertransaction WHERE idempotency_key = 'bench-opening'), id, balance_cents "
        "FROM rights_account WHERE kind = 'rights' AND balance_cents > 0"
    )
    cur.execute(  # type: ignore[attr-defined]
        "INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
        "SELECT (SELECT id FROM rights_ledgertransaction WHERE idempotency_key = 'bench-opening'), "
        "(SELECT id FROM rights_account WHERE reference = 'opening'), -SUM(balance_cents) "
        "FROM rights_account WHERE kind = 'rights'"
    )
