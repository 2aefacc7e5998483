"""Benchmark: generate_demo's bulk catalogue generation.

Small by default; the issue's full size:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opencpf_catalogue \
    .venv/bin/python -m bench.catalogue_generate --providers 15000 --offers 500000 --sessions 1000000 --reset
--reset empties the catalogue's offer tables first (never on a database you care about).
"""

from __future__ import annotations

import argparse
import time

from bench._django import setup


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.catalogue_generate")
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--offers", type=int, default=5_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--holders", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reset", action="store_true", help="empty the catalogue's offer tables first")
    args = parser.parse_args(argv)
    setup()
    from django.core.management import call_command
    from django.db import connection

    from opencpf.catalogue.generate import generate
    from opencpf.catalogue.models import Offer, Session

    call_command("migrate", verbosity=0)
    if args.reset:
        tables = [
            "catalogue_offerchange",
            "catalogue_session",
            "catalogue_offer",
            "catalogue_training",
            "catalogue_certifierpermission",
            "catalogue_qualiopicertificate",
            "catalogue_referencingdecision",
            "catalogue_providerapikey",
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                "DELETE FROM catalogue_provider WHERE id NOT IN (SELECT provider_id FROM identity_providermembership)"
            )
    started = time.perf_counter()
    report = generate(
        providers=args.providers,
        offers=args.offers,
        sessions=args.sessions,
        holders=args.holders,
        seed=args.seed,
        notify=False,
    )
    elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}")
    print(
        f"generated: {report.providers} providers, {report.trainings} trainings, {report.offers} offers, "
        f"{report.sessions} sessions, {report.holders} holders"
    )
    print("cumulative seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()))
    print(
        f"total: {elapsed:.1f} s; {report.offers / elapsed:,.0f} offers/s, {report.sessions / elapsed:,.0f} sessions/s"
    )
    print(f"rows now: {Offer.objects.count()} offers, {Session.objects.count()} sessions")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
