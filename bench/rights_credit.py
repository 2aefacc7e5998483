"""credit_year on N holders (PostgreSQL), compared with COPY of the same number of entries.

DATABASE_URL=postgres://... python -m bench.rights_credit --holders 1000000
"""

from __future__ import annotations

import argparse
import io
import sys
import time

YEAR = 2024


def generate(n: int) -> None:
    """Holders with accounts and balances from earlier years, and their declarations for YEAR."""
    from django.db import connection

    from bench._scratch_pg import post_opening_balances

    with connection.cursor() as cur:
        # ~85 % full time, 10 % below half time, 5 % paid without hours; 4 % low qualification;
        # 15 % of holders have a second employer.
        cur.execute(
            "INSERT INTO rights_declaration (declaration_id, employer_siret, nir_hash, year, paid_hours_x100, "
            "reference_hours_x100, part_time_rate_bp, gross_pay_cents, absences, low_qualification, disabled_worker, "
            "worked_hours_x100, revision, imported_at) "
            "SELECT 'B' || i, '73282932000074', md5(i::text), %s, "
            " CASE WHEN i %% 20 = 0 THEN NULL WHEN i %% 10 = 1 THEN 40000 ELSE 160700 END, "
            " CASE WHEN i %% 20 = 0 THEN NULL ELSE 160700 END, NULL, "
            " CASE WHEN i %% 20 = 0 THEN 1500000 ELSE NULL END, '[]', i %% 25 = 0, false, "
            " CASE WHEN i %% 20 = 0 THEN NULL WHEN i %% 10 = 1 THEN 40000 ELSE 160700 END, 1, now() "
            "FROM generate_series(1, %s) AS i",
            [YEAR, n],
        )
        cur.execute(
            "INSERT INTO rights_declaration (declaration_id, employer_siret, nir_hash, year, paid_hours_x100, "
            "reference_hours_x100, absences, low_qualification, disabled_worker, worked_hours_x100, revision, imported_at) "
            "SELECT 'C' || i, '35600000000048', md5(i::text), %s, 30000, 160700, '[]', false, false, 30000, 1, now() "
            "FROM generate_series(1, %s) AS i WHERE i %% 7 = 3",
            [YEAR, n],
        )
        # Steady state: every holder already has an account with rights from earlier years (some near the cap),
        # posted as one opening transaction so that verify_ledger holds.
        cur.execute(
            "INSERT INTO rights_account (kind, nir_hash, certification_code, reference, balance_cents, created_at) "
            "SELECT 'rights', md5(i::text), '', '', (i::bigint * 7919) %% 600000, now() FROM generate_series(1, %s) AS i",
            [n],
        )
        post_opening_balances(cur)
        cur.execute("ANALYZE rights_declaration")
        cur.execute("ANALYZE rights_account")
        cur.execute("ANALYZE rights_entry")
        cur.execute("CHECKPOINT")


def _child(args: argparse.Namespace) -> int:
    from bench._django import setup

    setup()
    from django.db import connection

    from bench._scratch_pg import migrate
    from opencpf.rights.crediting import credit_year
    from opencpf.rights.selectors import ledger_verify

    migrate()
    n = args.holders
    started = time.perf_counter()
    generate(n)
    print(f"data: {n} holders' declarations generated in {time.perf_counter() - started:.1f} s", flush=True)

    result = credit_year(year=YEAR, chunk_size=args.chunk_size)
    print(
        f"credit_year: {result.holders} holders, {result.credited_accounts} entries, {result.chunks} chunks, "
        f"{result.seconds:.2f} s ({result.holders / result.seconds:,.0f} holders/s)",
        flush=True,
    )
    rerun = credit_year(year=YEAR, chunk_size=args.chunk_size)
    print(f"credit_year re-run: {rerun.credited_accounts} entries posted, {rerun.seconds:.2f} s", flush=True)

    # Baseline: COPY the same number of entries into a table shaped like rights_entry (indexes included).
    buffer = io.StringIO()
    for i in range(result.credited_accounts):
        buffer.write(f"1\t{i + 1}\t50000\n")
    data = buffer.getvalue()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_entry_copy (LIKE rights_entry INCLUDING DEFAULTS INCLUDING INDEXES)")
        cur.execute("CREATE SEQUENCE bench_entry_copy_seq OWNED BY bench_entry_copy.id")
        cur.execute("ALTER TABLE bench_entry_copy ALTER COLUMN id SET DEFAULT nextval('bench_entry_copy_seq')")
    t0 = time.perf_counter()
    with (
        connection.cursor() as cur,
        cur.connection.cursor().copy(
            "COPY bench_entry_copy (transaction_id, account_id, amount_cents) FROM STDIN"
        ) as copy,
    ):
        copy.write(data)
    copy_seconds = time.perf_counter() - t0
    print(f"COPY of {result.credited_accounts} entries: {copy_seconds:.2f} s", flush=True)
    print(f"ratio credit_year / COPY: {result.seconds / copy_seconds:.1f}", flush=True)
    if args.verify:
        t0 = time.perf_counter()
        problems = ledger_verify()
        print(f"verify_ledger: {len(problems)} problem(s), {time.perf_counter() - t0:.2f} s", flush=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=20_000)
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--verify", action="store_true", help="also run verify_ledger (timed)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    from bench._scratch_pg import base_url, run_child, scratch_database

    if base_url() is None:
        print("bench.rights_credit: skipped, needs DATABASE_URL=postgres://...")
        return 0
    with scratch_database("rights_credit") as url:
        forwarded = ["--holders", str(args.holders), "--chunk-size", str(args.chunk_size)]
        return run_child("bench.rights_credit", url, forwarded + (["--verify"] if args.verify else []))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
