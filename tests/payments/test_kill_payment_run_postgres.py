"""payment_run killed (SIGKILL) at random points, many times, then re-run: every dossier paid exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from opencpf.enrolment.enums import BillingState
from opencpf.enrolment.models import Dossier
from opencpf.payments.models import PaymentItem, PaymentLine, PaymentRun, PaymentRunState
from opencpf.rights.enums import AccountKind, TransactionKind
from opencpf.rights.models import LedgerTransaction
from tests.enrolment.conftest import account_total
from tests.payments.helpers import advance_waiting, bank_account, entered, provider_with_staff, validated

ROOT = Path(settings.BASE_DIR)
CHECKPOINTS = [
    "plan_selected",
    "plan_before_commit",
    "plan_committed",
    "ledger_line_0",
    "ledger_line_1",
    "ledger_line_2",
    "ledger_chunk_committed_2",
    "file_before_commit",
    "file_committed",
]
KILLS = 10
SEED = 20261130


def _env() -> dict[str, str]:
    s = connection.settings_dict
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        OPENCPF_FROZEN_NOW="2026-06-01T10:00:00",
        DATABASE_URL=f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        OPENCPF_PAYMENT_RUN_LEDGER_CHUNK="2",
    )


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "payment_run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payment_run_killed_anywhere_pays_each_dossier_exactly_once(buyer, staff, provider):
    rng = random.Random(SEED)
    providers = [(provider, staff)] + [
        provider_with_staff(siret, f"OF {i}")
        for i, siret in enumerate(["35600000000048", "44306184100047", "55210055400013"])
    ]
    for p, user in providers:
        bank_account(p, user)
    # Waves of payable dossiers: each wave becomes payable between kills, so several runs are planned.
    waves: list[list[Dossier]] = []
    for wave in range(3):
        dossiers = []
        for i in range(5):
            p, user = providers[(wave + i) % len(providers)]
            dossiers.append(entered(buyer, user, p, price=10_000 * (i + 1)))
        waves.append(dossiers)
    advance_ids = [d.pk for d in waves[0][:2]]
    for d in waves[0][:2]:
        advance_waiting(d, advance=3_000)
    for d in waves[0][2:]:
        validated(d)

    env = _env()
    killed = 0
    for attempt in range(KILLS):
        if attempt in (3, 6):
            for d in waves[attempt // 3]:
                validated(d)
        if attempt == 6:  # the advances are paid by now; the holders abandoned: less is owed than advanced
            assert _run(env).returncode == 0
            for d in waves[0][:2]:
                validated(d, due=2_000)
        crash_env = dict(env)
        if attempt in (2, 8):  # a kill from outside, at a random moment of a slowed-down run
            crash_env["OPENCPF_PAYMENT_RUN_THROTTLE_MS"] = "150"
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "payment_run"],
                cwd=ROOT,
                env=crash_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(1.5, 3.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        else:
            crash_env["OPENCPF_PAYMENT_RUN_CRASH_AT"] = rng.choice(CHECKPOINTS)
            result = _run(crash_env)
            assert result.returncode in (0, -signal.SIGKILL), result.stderr
            killed += result.returncode == -signal.SIGKILL
    assert killed >= 4, "the checkpoints were reached"

    final = _run(env)
    assert final.returncode == 0, final.stderr
    assert _run(env).stdout.strip().endswith("Aucun dossier à payer.")
    assert not PaymentRun.objects.filter(state=PaymentRunState.PLANNED).exists()

    everyone = [d for wave in waves for d in wave]
    for d in everyone:
        fresh = Dossier.objects.get(pk=d.pk)
        items = list(PaymentItem.objects.filter(dossier=d).values_list("kind", "amount_cents"))
        if d.pk in advance_ids:
            assert sorted(items) == [("advance", 3_000), ("balance", 0)]
            assert fresh.paid_cents == 3_000
        else:
            assert items == [("balance", fresh.due_cents)] and fresh.paid_cents == fresh.due_cents
        assert fresh.billing_state == BillingState.BILLED
    lines = PaymentLine.objects.all()
    assert all(line.ledger_posted_at is not None for line in lines)
    wired = sum(line.amount_cents for line in lines)
    assert account_total(AccountKind.PROVIDER_PAID) == wired
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PROVIDER_PAYMENT).count() == sum(
        1 for line in lines if line.amount_cents
    )
    for run in PaymentRun.objects.all():
        assert (run.file_xml is not None) == run.lines.filter(amount_cents__gt=0).exists()
        assert run.state == PaymentRunState.FILE_GENERATED
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stderr
