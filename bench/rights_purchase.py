"""reserve + capture through the rights services with W concurrent worker processes (PostgreSQL),
printed beside pgbench's TPC-B measured in the same run on the same server.

    DATABASE_URL=postgres://... python -m bench.rights_purchase --purchases 20000 --workers 8
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import time
from urllib.parse import urlsplit


def _worker(worker: int, count: int, holders: list[str], start: mp.synchronize.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    from django.db import connection

    from opencpf.rights import services

    connection.ensure_connection()
    start.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    for i in range(count):
        nir_hash = holders[i % len(holders)]
        q = services.quote(nir_hash=nir_hash, price_cents=50_000)
        ref = f"W{worker}-{i}"
        services.reserve(order_ref=ref, quote=q, provider_ref="73282932000074")
        services.capture(order_ref=ref)
        done += 1
    out.put((done, time.perf_counter() - t0, time.process_time() - c0))
    connection.close()


def _child(args: argparse.Namespace) -> int:
    from bench._django import setup

    setup()
    from django.db import connection, connections

    from bench._scratch_pg import migrate, post_opening_balances
    from opencpf.rights.selectors import ledger_verify

    migrate()
    holders_per_worker = 50
    n_holders = holders_per_worker * args.workers
    with connection.cursor() as cur:
        # Each holder has enough rights for every purchase assigned to them (500 € each, 397,77 € from rights).
        cur.execute(
            "INSERT INTO rights_account (kind, nir_hash, certification_code, reference, balance_cents, created_at) "
            "SELECT 'rights', md5('p' || i::text), '', '', %s, now() FROM generate_series(1, %s) AS i",
            [args.purchases * 100_000, n_holders],
        )
        post_opening_balances(cur)
        cur.execute("SELECT nir_hash FROM rights_account WHERE kind = 'rights' ORDER BY id")
        hashes = [r[0] for r in cur.fetchall()]
    connections.close_all()
    ctx = mp.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    per_worker = args.purchases // args.workers
    procs = [
        ctx.Process(
            target=_worker,
            args=(w, per_worker, hashes[w * holders_per_worker : (w + 1) * holders_per_worker], start, out),
        )
        for w in range(args.workers)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)
    t0 = time.perf_counter()
    start.set()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    total = sum(r[0] for r in results)
    cpu = sum(r[2] for r in results)
    print(
        f"reserve+capture: {total} purchases by {args.workers} workers in {wall:.2f} s = {total / wall:,.0f} purchases/s; "
        f"CPU of the Python workers {cpu / total * 1000:.2f} ms per purchase (quote + reserve + capture)",
        flush=True,
    )
    problems = ledger_verify()
    print(f"verify_ledger after the run: {len(problems)} problem(s)", flush=True)
    return 0 if not problems else 1


def _pgbench(url: str, clients: int, seconds: int) -> str:
    if not shutil.which("pgbench"):
        return "pgbench not found"
    parts = urlsplit(url)
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    db = parts.path.lstrip("/")
    subprocess.run(["pgbench", *conn, "-i", "-q", "-s", str(clients), db], check=True, capture_output=True)
    run = subprocess.run(
        ["pgbench", *conn, "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n", db],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([\d.]+)", run.stdout)
    return f"{float(match.group(1)):,.0f} TPC-B transactions/s" if match else run.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=4_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    from bench._scratch_pg import base_url, run_child, scratch_database

    if base_url() is None:
        print("bench.rights_purchase: skipped, needs DATABASE_URL=postgres://...")
        return 0
    os.environ.setdefault("DEBUG", "0")  # the dev settings' DEBUG would record every query
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with scratch_database("rights_purchase") as url:
        code = run_child(
            "bench.rights_purchase", url, ["--purchases", str(args.purchases), "--workers", str(args.workers)]
        )
    with scratch_database("pgbench") as url:
        print(
            f"pgbench TPC-B, {args.workers} clients, {args.pgbench_seconds} s: "
            f"{_pgbench(url, args.workers, args.pgbench_seconds)}",
            flush=True,
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
