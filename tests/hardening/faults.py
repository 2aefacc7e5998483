"""Kill a management command at a random point (SIGKILL before its N-th SQL statement), run it again to the
end, and compare what the database holds with an uninterrupted run on the same data.

A job is one line of `JOBS`: the command, how to build its data (deterministic), the frozen time. The
comparison (`fingerprint`) is independent of row ids and of random dossier numbers: it names dossiers by
holder and session, ledger transactions by their idempotency key.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(settings.BASE_DIR)

# Runs a command with a statement counter; SIGKILLs itself just before statement number OPENCPF_KILL_AT.
KILLER = r"""
import os, signal, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
count = 0
kill_at = int(os.environ.get("OPENCPF_KILL_AT", "0"))
def counter(execute, sql, params, many, context):
    global count
    count += 1
    if kill_at and count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return execute(sql, params, many, context)
with connection.execute_wrapper(counter):
    call_command(*sys.argv[1:])
print(f"STATEMENTS {count}")
"""


@dataclass(frozen=True)
class Job:
    name: str
    args: tuple[str, ...]
    prepare: Callable[[Path], None]
    frozen_now: str = "2026-03-02T10:00:00"
    did_its_work: Callable[[dict[str, Any]], bool] = lambda fingerprint: True  # checked on the uninterrupted run


def subprocess_env(frozen_now: str) -> dict[str, str]:
    s = connection.settings_dict
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        OPENCPF_FROZEN_NOW=frozen_now,
        DATABASE_URL=f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
    )


def run_command(job: Job, *, kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(job.frozen_now) | {"OPENCPF_KILL_AT": str(kill_at)}
    return subprocess.run(
        [sys.executable, "-c", KILLER, *job.args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def run_in_process(job: Job, *args: str) -> str:
    """Run a command here (the rerun after a kill, the checks), at the job's time; SystemExit is a failure."""
    from opencpf.core import clock

    out, err = StringIO(), StringIO()
    clock.freeze(dt.datetime.fromisoformat(job.frozen_now))
    try:
        call_command(*(args or job.args), stdout=out, stderr=err)
    except SystemExit as exc:
        raise AssertionError(f"{' '.join(args or job.args)} failed ({exc.code}): {err.getvalue()[-2000:]}") from exc
    finally:
        clock.unfreeze()
    return out.getvalue()


def statements(result: subprocess.CompletedProcess[str]) -> int:
    for line in result.stdout.splitlines():
        if line.startswith("STATEMENTS "):
            return int(line.split()[1])
    raise AssertionError(f"the command did not finish: {result.stderr[-2000:]}")


def killed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == -signal.SIGKILL


def fingerprint() -> dict[str, Any]:
    """What must be the same after a killed-then-rerun job as after an uninterrupted one."""
    from opencpf.enrolment.models import Dossier, DossierTransition, Message
    from opencpf.payments.models import PaymentItem, ProviderRecovery
    from opencpf.rights.models import Account, Entry, Reservation
    from opencpf.trust.models import Control

    names = {
        d.number: f"{d.holder.user.email}/{d.session.reference if d.session_id else '-'}"
        for d in Dossier.objects.select_related("holder__user", "session")
    }

    # Controls' references are random: they are named by their reason.
    controls = list(Control.objects.all())
    labels = names | {c.reference: f"control:{c.reason}" for c in controls}

    def named(text: str) -> str:
        for number, name in labels.items():
            text = text.replace(number, name)
        return text

    return {
        "accounts": sorted(
            (a.kind, a.nir_hash, a.reference, a.certification_code, a.balance_cents) for a in Account.objects.all()
        ),
        "entries": sorted(
            Counter(
                (
                    named(e.transaction.idempotency_key),
                    e.transaction.kind,
                    e.account.kind,
                    e.account.nir_hash,
                    e.amount_cents,
                )
                for e in Entry.objects.select_related("transaction", "account")
            ).items()
        ),
        "dossiers": sorted(
            (names[d.number], d.state, d.billing_state, d.paid_cents, d.deadline_kind, str(d.deadline_on))
            for d in Dossier.objects.all()
        ),
        "transitions": sorted(
            Counter(
                (names[t.dossier.number], t.event, t.to_state)
                for t in DossierTransition.objects.select_related("dossier")
            ).items()
        ),
        "payments": sorted(
            Counter(
                (names[i.dossier.number], i.kind, i.amount_cents, i.line.provider.siret)
                for i in PaymentItem.objects.select_related("dossier", "line__provider")
            ).items()
        ),
        "recoveries": sorted((r.key, r.amount_cents, r.recovered_cents) for r in ProviderRecovery.objects.all()),
        "reservations": sorted(
            (named(r.order_ref), r.status, r.held_cents, r.captured_cents) for r in Reservation.objects.all()
        ),
        "controls": sorted(
            (c.reason, c.status, c.deadline.isoformat(), c.reminded_at is not None, c.lapsed_at is not None)
            for c in controls
        ),
        "messages": sorted(
            Counter(
                (
                    m.recipient.email,
                    named(m.subject),
                    named(m.body),
                    names.get(m.dossier.number, "") if m.dossier else "",
                )
                for m in Message.objects.select_related("recipient", "dossier")
            ).items()
        ),
    }


# --- Data of each job (deterministic: the same rows on every call) -------------------------------------------


def declarations_file(path: Path, holders: int = 30) -> None:
    from opencpf.rights.declarations import FIELDS
    from tests.rights.helpers import SIRET_A, make_nir

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, delimiter=";")
        writer.writeheader()
        for i in range(holders):
            writer.writerow(
                {f: "" for f in FIELDS}
                | {
                    "declaration_id": f"K{i}",
                    "employer_siret": SIRET_A,
                    "nir": make_nir(9000 + i),
                    "year": 2025,
                    "paid_hours": str(100 + 50 * i),
                    "reference_hours": "1607",
                    "low_qualification": "1" if i % 3 == 0 else "0",
                }
            )


def prepare_credit_year(tmp: Path) -> None:
    from opencpf.rights.declarations import declarations_import

    source = tmp / "declarations.csv"
    declarations_file(source)
    declarations_import(path=source)


def prepare_dossiers(tmp: Path) -> None:
    """Twelve holders with rights and dossiers whose deadlines lapse: unanswered requests, proposals never
    accepted, accepted dossiers whose entry is never declared (their reservations must be released once)."""
    from opencpf.core import clock
    from opencpf.enrolment import services
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import holder_create, staff_user_create
    from tests.enrolment.conftest import credit, make_provider, make_session
    from tests.rights.helpers import make_nir

    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    try:
        provider = make_provider("73282932000074")
        staff = staff_user_create(email="of@example.org", password=None, kind=UserKind.PROVIDER)
        ProviderMembership.objects.create(user=staff, provider=provider)
        sessions = [
            make_session(provider, start=dt.date(2026, 4, 15)),
            make_session(provider, start=dt.date(2026, 5, 4)),
        ]
        for i in range(12):
            holder = holder_create(
                nir=make_nir(7000 + i),
                birth_name="Fautif",
                first_names=f"Essai{i}",
                birth_date=dt.date(1985, 5, 14),
                sex="M",
                email=f"essai{i}@example.org",
                password=None,
            )
            holder.user.email_confirmed_at = clock.now()
            holder.user.save(update_fields=["email_confirmed_at"])
            credit(holder, 200_000, key=f"credit-{i}")
            dossier = services.dossier_request(actor=holder.user, session_id=sessions[i % 2].pk)
            if i % 3 >= 1:
                dossier = services.dossier_propose(dossier_id=dossier.pk, actor=staff)
            if i % 3 == 2:
                services.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)
    finally:
        clock.unfreeze()


def prepare_payment_run(tmp: Path) -> None:
    """Two providers with approved bank accounts; ten dossiers taken through the real services to service done
    validated (completed, abandoned early, interrupted), and two long trainings whose 30 % advance is payable."""
    from opencpf.core import clock
    from opencpf.enrolment import services
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import holder_create, staff_user_create
    from tests.enrolment.conftest import credit, make_provider, make_session
    from tests.payments.helpers import bank_account
    from tests.rights.helpers import make_nir

    exits = [
        {"completion_rate_bp": 10_000},
        {"hours_attended": 5, "reason": "abandonment"},
        {"hours_attended": 20, "reason": "provider_interruption"},
    ]
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    try:
        providers = []
        for n, siret in enumerate(("73282932000074", "55208131766522")):
            provider = make_provider(siret, f"Organisme {n}")
            staff = staff_user_create(email=f"of{n}@example.org", password=None, kind=UserKind.PROVIDER)
            ProviderMembership.objects.create(user=staff, provider=provider)
            bank_account(provider, staff)
            short = make_session(provider, start=dt.date(2026, 4, 15))
            long = make_session(provider, start=dt.date(2026, 4, 15))
            long.end_date = dt.date(2026, 9, 30)
            long.save(update_fields=["end_date"])
            providers.append((staff, short, long))
        dossiers = []
        for i in range(12):
            clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
            holder = holder_create(
                nir=make_nir(8000 + i),
                birth_name="Payé",
                first_names=f"Essai{i}",
                birth_date=dt.date(1985, 5, 14),
                sex="M",
                email=f"paye{i}@example.org",
                password=None,
                is_job_seeker=i % 2 == 0,
            )
            holder.user.email_confirmed_at = clock.now()
            holder.user.save(update_fields=["email_confirmed_at"])
            credit(holder, 200_000, key=f"credit-{i}")
            staff, short, long = providers[i % 2]
            session = long if i >= 10 else short
            dossier = services.dossier_request(actor=holder.user, session_id=session.pk)
            services.dossier_propose(dossier_id=dossier.pk, actor=staff)
            services.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)
            dossiers.append((dossier, staff, session, i))
        clock.freeze(dt.datetime(2026, 4, 15, 9, 0))
        for dossier, staff, _session, _i in dossiers:
            services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
        clock.freeze(dt.datetime(2026, 4, 20, 18, 0))
        for dossier, staff, session, i in dossiers:
            if session.end_date == dt.date(2026, 4, 20):
                services.dossier_declare_exit(
                    dossier_id=dossier.pk, actor=staff, exit_date=session.end_date, **exits[i % 3]
                )
        clock.freeze(dt.datetime(2026, 5, 4, 10, 0))
        services.validate_service_done()
    finally:
        clock.unfreeze()


def prepare_controls(tmp: Path) -> None:
    """Five controls of one provider opened on successive days: on 24 March two have lapsed unanswered, two are
    due for their reminder (deadline within 3 business days), one is not yet."""
    from django.contrib.auth.models import Group

    from opencpf.core import clock
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import staff_user_create
    from opencpf.trust.controls import control_open
    from tests.enrolment.conftest import make_provider

    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    try:
        provider = make_provider("73282932000074")
        staff = staff_user_create(email="of@example.org", password=None, kind=UserKind.PROVIDER)
        ProviderMembership.objects.create(user=staff, provider=provider)
        controller = staff_user_create(email="controle@operateur.fr", password=None, kind=UserKind.AGENT)
        controller.groups.add(Group.objects.get(name="controller"))
        controller = type(controller).objects.get(pk=controller.pk)
        for n, day in enumerate((2, 2, 5, 6, 9)):
            clock.freeze(dt.datetime(2026, 3, day, 10, 0))
            control_open(
                provider_id=provider.pk, agent=controller, reason=f"Contrôle {n}", proofs_requested="Émargements"
            )
    finally:
        clock.unfreeze()


JOBS = [
    Job("credit_year", ("credit_year", "2025", "--chunk-size", "3"), prepare_credit_year),
    Job("expire_deadlines", ("expire_deadlines", "--on", "2026-06-30"), prepare_dossiers, "2026-06-30T10:00:00"),
    Job(
        "payment_run",
        ("payment_run",),
        prepare_payment_run,
        "2026-06-01T10:00:00",
        # 10 balances of validated dossiers and 2 advances, each paid once.
        lambda fp: (
            sorted(kind for (_, kind, _, _), n in fp["payments"] for _ in range(n))
            == ["advance"] * 2 + ["balance"] * 10
        ),
    ),
    Job(
        "control_deadlines",
        ("control_deadlines", "--on", "2026-03-24"),
        prepare_controls,
        "2026-03-24T06:00:00",
        # two controls lapsed, two reminded, one left as it was.
        lambda fp: (
            sorted((status, reminded, lapsed) for _, status, _, reminded, lapsed in fp["controls"])
            == [("awaiting", False, False)] + [("awaiting", True, False)] * 2 + [("unanswered", False, True)] * 2
        ),
    ),
]
