"""Payment run on N validated dossiers (PostgreSQL scratch database): plan, ledger, pain.001 file, confirm.

DATABASE_URL=postgres://... python -m bench.payments --dossiers 100000 --providers 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time


def generate(n: int, providers: int) -> None:
    """Providers with an approved IBAN, one session each, and N validated dossiers (10 % with an advance paid)."""
    from django.db import connection

    from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Session, Training
    from opencpf.core import clock
    from opencpf.enrolment.models import Dossier
    from opencpf.identity.models import UserKind
    from opencpf.identity.services import holder_create, staff_user_create
    from opencpf.payments.models import BankAccountStatus, ProviderBankAccount

    now = clock.now()
    staff = staff_user_create(email="bench-of@example.org", password=None, kind=UserKind.PROVIDER)
    holder = holder_create(
        nir="1 85 05 78 006 084 91",
        birth_name="Bench",
        first_names="Paul",
        birth_date=dt.date(1985, 5, 14),
        sex="M",
        email="bench@example.org",
        password=None,
    )
    cert = Certification.objects.create(code="RSBENCH", kind="RS", title="Bench")
    provs = Provider.objects.bulk_create(
        [
            Provider(name=f"OF {i}", siret=f"9{i:013d}", status=ProviderStatus.REFERENCED, email=f"of{i}@example.org")
            for i in range(providers)
        ]
    )
    trainings = Training.objects.bulk_create(
        [Training(provider=p, certification=cert, reference=f"T{p.pk}", title="Bench") for p in provs]
    )
    offers = Offer.objects.bulk_create(
        [
            Offer(
                training=t,
                reference=f"A{t.pk}",
                hours_total=35,
                price_incl_tax_cents=150_000,
                price_excl_tax_cents=125_000,
                is_published=True,
            )
            for t in trainings
        ]
    )
    Session.objects.bulk_create(
        [
            Session(offer=o, reference=f"S{o.pk}", start_date=dt.date(2026, 4, 15), end_date=dt.date(2026, 4, 20))
            for o in offers
        ]
    )
    ProviderBankAccount.objects.bulk_create(
        [
            ProviderBankAccount(
                provider=p,
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
                account_holder=p.name,
                status=BankAccountStatus.ACTIVE,
                requested_by=staff,
                requested_at=now,
            )
            for p in provs
        ]
    )
    # Every column of the dossier: the model's defaults, then the generated values.
    values: dict[str, str] = {}
    params: list[object] = []
    generated = {
        "number": "'B' || lpad(i::text, 10, '0')",
        "holder_id": str(int(holder.pk)),
        "provider_id": "p.id",
        "training_id": "t.id",
        "offer_id": "o.id",
        "session_id": "s.id",
        "state": "'serviceDoneValidated'",
        "billing_state": "'toBill'",
        "start_date": "DATE '2026-04-15'",
        "end_date": "DATE '2026-04-20'",
        "exit_date": "DATE '2026-04-20'",
        "price_cents": "100000 + (i %% 50) * 1000",
        "captured_cents": "100000 + (i %% 50) * 1000",
        "due_cents": "100000 + (i %% 50) * 1000",
        "advance_cents": "CASE WHEN i %% 10 = 0 THEN 30000 ELSE 0 END",
        "paid_cents": "CASE WHEN i %% 10 = 0 THEN 30000 ELSE 0 END",
        "completion_rate_bp": "10000",
        "exit_reason": "'completed'",
    }
    for f in Dossier._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in generated:
            values[f.column] = generated[f.column]
        elif f.name in ("requested_at", "exit_declared_at", "service_done_validated_at", "entered_at", "accepted_at"):
            values[f.column] = "%s"
            params.append(now)
        else:
            default = f.get_default()
            values[f.column] = "%s"
            params.append(default if default is not None or f.null else "")
    columns = ", ".join(values)
    sql = (
        f"INSERT INTO enrolment_dossier ({columns}) SELECT {', '.join(values.values())} "  # nosec B608
        "FROM generate_series(1, %s) AS i "
        "JOIN (SELECT p.id, row_number() OVER (ORDER BY p.id) - 1 AS k FROM catalogue_provider p) p "
        f"  ON p.k = i %% {int(providers)} "
        "JOIN catalogue_training t ON t.provider_id = p.id JOIN catalogue_offer o ON o.training_id = t.id "
        "JOIN catalogue_session s ON s.offer_id = o.id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*params, n])
        # The advances already paid by an earlier run (10 % of the dossiers): their items exist.
        cur.execute(
            "INSERT INTO payments_paymentrun (reference, state, execution_date, created_at, line_count, item_count, "
            "total_cents, skipped, file_sha256) VALUES ('PR20260501-001', 'confirmed', DATE '2026-05-04', now(), 0, "
            "0, 0, '{}', '') RETURNING id"
        )
        run_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO payments_paymentline (run_id, provider_id, key, end_to_end_id, gross_cents, "
            "recovered_cents, amount_cents, iban, bic, account_holder, ledger_posted_at) "
            "SELECT %s, p.id, 'PR20260501-001:' || p.siret, 'PR20260501-001-' || p.id, 0, 0, 0, "
            "'FR7630006000011234567890189', 'AGRIFRPP', p.name, now() FROM catalogue_provider p",
            [run_id],
        )
        cur.execute(
            "INSERT INTO payments_paymentitem (line_id, run_id, dossier_id, kind, amount_cents) "
            "SELECT l.id, %s, d.id, 'advance', d.advance_cents FROM enrolment_dossier d "
            "JOIN payments_paymentline l ON l.provider_id = d.provider_id AND l.run_id = %s WHERE d.advance_cents > 0",
            [run_id, run_id],
        )
        cur.execute(
            "UPDATE payments_paymentline l SET gross_cents = s.total, amount_cents = s.total FROM "
            "(SELECT line_id, SUM(amount_cents) AS total FROM payments_paymentitem GROUP BY line_id) s "
            "WHERE s.line_id = l.id"
        )
        for table in ("enrolment_dossier", "payments_paymentitem", "payments_paymentline", "catalogue_provider"):
            cur.execute(f"ANALYZE {table}")  # nosec B608 - constant names


def _child(args: argparse.Namespace) -> int:
    from bench._django import setup

    os.environ.setdefault("OPENCPF_FROZEN_NOW", "2026-06-01T10:00:00")
    setup()
    from django.db import connection

    from bench._scratch_pg import migrate
    from opencpf.payments import runs
    from opencpf.payments.models import PaymentRun
    from opencpf.payments.reconcile import reconcile
    from opencpf.rights.selectors import ledger_verify

    migrate()
    t0 = time.perf_counter()
    generate(args.dossiers, args.providers)
    print(f"data: {args.dossiers} validated dossiers, {args.providers} providers in {time.perf_counter() - t0:.1f} s")
    load = os.getloadavg()
    print(f"load average before the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} CPU)")

    timings: dict[str, float] = {}
    t = time.perf_counter()
    run, skipped = runs.plan_run()
    timings["plan"] = time.perf_counter() - t
    assert run is not None
    t = time.perf_counter()
    runs.post_run_ledger(run)
    timings["ledger"] = time.perf_counter() - t
    t = time.perf_counter()
    run = runs.generate_file(run)
    timings["file"] = time.perf_counter() - t
    total = sum(timings.values())
    print(
        f"payment run {run.reference}: {run.item_count} dossier amounts, {run.line_count} transfers, "
        f"{run.total_cents / 100:,.2f} EUR, file {len(bytes(run.file_xml or b'')) / 1e6:.1f} MB"
    )
    print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()) + f" -> total {total:.2f} s")
    print(f"  {run.item_count / total:,.0f} dossiers/s; skipped: {skipped or 'none'}")
    t = time.perf_counter()
    runs.payment_run_mark_sent(run=run.reference)
    runs.payment_run_confirm(run=run.reference)
    print(f"sent + confirmed: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    again = runs.payment_run()
    print(f"re-run: {len(again.runs)} run(s) planned, {time.perf_counter() - t:.2f} s")
    if args.verify:
        t = time.perf_counter()
        problems = ledger_verify()
        print(f"verify_ledger: {len(problems)} problem(s), {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        result = reconcile()
        print(
            f"reconcile: {result.dossiers} dossiers, {time.perf_counter() - t:.2f} s (differences expected: no captures)"
        )
    assert PaymentRun.objects.count() == 2
    connection.close()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.payments", description=__doc__)
    parser.add_argument("--dossiers", type=int, default=5_000)
    parser.add_argument("--providers", type=int, default=0, help="default: dossiers / 50, at least 10")
    parser.add_argument("--verify", action="store_true", help="also time verify_ledger and reconcile")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.providers = args.providers or max(10, args.dossiers // 50)
    if args.child:
        return _child(args)
    from bench._scratch_pg import base_url, run_child, scratch_database

    if base_url() is None:
        print("bench.payments: skipped, needs DATABASE_URL=postgres://...")
        return 0
    with scratch_database("payments") as url:
        forwarded = ["--dossiers", str(args.dossiers), "--providers", str(args.providers)]
        return run_child("bench.payments", url, forwarded + (["--verify"] if args.verify else []))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
