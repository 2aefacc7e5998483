"""credit_year killed midway (SIGKILL of a real subprocess) then re-run: the result is exact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.hardening.faults import declarations_file

ROOT = Path(settings.BASE_DIR)
HOLDERS = 30


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_credit_year_killed_midway_then_rerun_is_exact(tmp_path: Path) -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", OPENCPF_FROZEN_NOW="2026-03-02T10:00:00")
    query: Callable[[str], list[tuple]]
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"

        def query(sql: str) -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
    else:
        db = tmp_path / "kill.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{db}"
        assert _manage(env, "migrate", "--noinput").returncode == 0

        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(db) as conn:
                return list(conn.execute(sql).fetchall())

    source = tmp_path / "decl.csv"
    declarations_file(source, HOLDERS)
    assert _manage(env, "import_declarations", str(source)).returncode == 0

    proc = subprocess.Popen(
        [sys.executable, "manage.py", "credit_year", "2025", "--chunk-size", "3", "--throttle-ms", "500"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = query("SELECT chunks_posted FROM rights_credityearrun WHERE year = 2025")
        if rows and rows[0][0] >= 3:
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    credited = query("SELECT COUNT(*) FROM rights_account WHERE kind = 'rights' AND balance_cents > 0")[0][0]
    assert 0 < credited < HOLDERS, "the run was killed midway"

    rerun = _manage(env, "credit_year", "2025", "--chunk-size", "3")
    assert rerun.returncode == 0, rerun.stderr
    again = _manage(env, "credit_year", "2025")
    assert again.returncode == 0 and "0 comptes mouvementés" in again.stdout

    balances = [b for (b,) in query("SELECT balance_cents FROM rights_account WHERE kind = 'rights' ORDER BY id")]
    assert len(balances) == HOLDERS
    expected = []
    for i in range(HOLDERS):
        amount = 80_000 if i % 3 == 0 else 50_000
        share = (100 + 50 * i) * 100 * 1_000_000 // 160_700
        expected.append(amount if share >= 500_000 else amount * share // 1_000_000)
    assert sorted(balances) == sorted(expected)
    assert (
        query(
            "SELECT COUNT(*) FROM rights_entry e JOIN rights_account a ON a.id = e.account_id WHERE a.kind = 'rights'"
        )[0][0]
        == HOLDERS
    )  # nobody credited twice
    verify = _manage(env, "verify_ledger")
    assert verify.returncode == 0, verify.stderr
