"""Core primitives on a hot path: business-day arithmetic and dated-parameter look-ups.

python -m bench.core_calendar --n 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bench._django import setup


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.core_calendar", description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="operations per measure (default 20 000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    setup()
    from django.db import connection

    from opencpf.core.calendar import add_business_days, business_days_between
    from opencpf.core.params import param

    rng = random.Random(args.seed)
    starts = [dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1000)) for _ in range(args.n)]

    t0 = time.perf_counter()
    for day in starts:
        add_business_days(day, 11)
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for day in starts:
        business_days_between(day, day + dt.timedelta(days=30))
    between_s = time.perf_counter() - t0
    print(f"add_business_days(d, 11): {args.n / add_s:,.0f} ops/s ({add_s * 1e6 / args.n:.1f} µs each)")
    print(f"business_days_between(d, d+30): {args.n / between_s:,.0f} ops/s ({between_s * 1e6 / args.n:.1f} µs each)")

    lookups = min(args.n, 5_000)
    samples = []
    for day in starts[:lookups]:
        t0 = time.perf_counter()
        param("copayment_cents", on=max(day, dt.date(2024, 5, 2)))
        samples.append(time.perf_counter() - t0)
    samples.sort()
    print(
        f"param('copayment_cents', on=...) on {connection.vendor}: {lookups} look-ups, "
        f"median {statistics.median(samples) * 1e3:.3f} ms, p95 {samples[int(0.95 * len(samples))] * 1e3:.3f} ms"
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
