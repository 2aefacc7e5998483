"""Search benchmark: generated catalogue, the 100 fixed queries, service latency, fair exposure over 1 000 IPs,
the same fair query on PostgreSQL full-text search, HTTP throughput through gunicorn, worker memory.

    python -m bench.search                                   # small (5 000 offers), SQLite var/bench_search.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opencpf_search \\
        python -m bench.search --offers 500000 --sessions 1000000 --http
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))] if s else float("nan")


def _fmt(values_ms: list[float]) -> str:
    return (
        f"p50 {_pct(values_ms, 0.5):.2f} ms  p95 {_pct(values_ms, 0.95):.2f} ms  p99 {_pct(values_ms, 0.99):.2f} ms  "
        f"mean {statistics.fmean(values_ms):.2f} ms"
    )


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(RSS, PSS) in MB from /proc (PSS counts pages shared with other processes fractionally)."""
    rss = pss = float("nan")
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def _params(q: dict[str, Any]):  # type: ignore[no-untyped-def]
    from opencpf.search.selectors import SearchParams

    return SearchParams(**q)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="replace the catalogue of DATABASE_URL with a generated one (the default SQLite file is regenerated whenever its size differs)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of the 100 queries (one client IP per run)")
    parser.add_argument("--fair-queries", type=int, default=6, help="queries checked for fair exposure")
    parser.add_argument("--ips", type=int, default=1000)
    parser.add_argument("--http", action="store_true", help="also measure through gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: see docs/performance.md)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--no-pg-fts", action="store_true")
    parser.add_argument(
        "--parts", default="service,fair,pgfts,http", help="comma-separated subset of service,fair,pgfts,http"
    )
    args = parser.parse_args(argv)

    user_db = bool(os.environ.get("DATABASE_URL"))
    if not user_db:
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench_search.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench._django import setup

    setup()
    from django.core.management import call_command
    from django.db import connection

    from opencpf.catalogue.models import Offer, Session
    from opencpf.core import clock

    today = __import__("datetime").date(2026, 3, 2)
    clock.freeze(__import__("datetime").datetime(2026, 3, 2, 10, 0))
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})", flush=True)
    call_command("migrate", verbosity=0)
    own_db = not user_db  # var/bench_search.sqlite3: the benchmark's own file
    wrong_size = Offer.objects.count() != args.offers or Session.objects.count() < args.sessions * 0.9
    if wrong_size and not own_db and not args.regenerate and Offer.objects.exists():
        print("the catalogue of DATABASE_URL has another size: measuring it as it is (--regenerate replaces it)")
        wrong_size = False
    if args.regenerate or wrong_size:
        from bench.search.generate import generate

        print(f"generating {args.offers} offers, {args.sessions} sessions ...", flush=True)
        print("generated:", generate(offers=args.offers, sessions=args.sessions, today=today), flush=True)
    print(f"catalogue: {Offer.objects.count()} offers, {Session.objects.count()} sessions", flush=True)

    from opencpf.search import runtime
    from opencpf.search.fairness import round_keys
    from opencpf.search.selectors import search_offers

    if set(args.parts.split(",")) <= {"http"}:  # the server builds its own index: none needed here
        if args.http:
            from bench.search.http import run_http
            from bench.search.queries import queries as http_queries

            run_http(http_queries(today), args)
        return

    rss0, _ = rss_mb()
    t0 = time.perf_counter()
    rt = runtime.build()
    runtime.reset(rt)
    build_s = time.perf_counter() - t0
    rss1, _ = rss_mb()
    print(
        f"index: {rt.index.size} offers, {rt.index.n_groups} groups, {len(rt.index.base.vocab)} terms, "
        f"built in {build_s:.1f} s; process RSS {rss0:.0f} -> {rss1:.0f} MB",
        flush=True,
    )

    from bench.search.queries import queries

    qs = queries(today)
    # Service latency through the selector (matching, grouping, fair order, facets, explanations, display data),
    # first with the result cache off (every query computed from scratch), then on (IP-independent part reused).
    service_ms: list[float] = []
    per_kind: dict[str, list[float]] = {}
    cold_p95 = float("nan")
    cache_bytes = rt.index.cache_bytes
    parts = set(args.parts.split(","))
    for label, cache in (("cache off", 0), ("cache on", cache_bytes)) if "service" in parts else ():
        rt.index.cache_bytes = cache
        rt.index.clear_cache()
        service_ms = []
        cpu_ms: list[float] = []
        per_kind = {}
        for run in range(args.repeat):
            ip = f"10.0.{run}.{run + 1}"
            for q in qs:
                t, c = time.perf_counter(), time.process_time()
                out = search_offers(_params(q), client_ip=ip)
                dt_ms = (time.perf_counter() - t) * 1000
                cpu_ms.append((time.process_time() - c) * 1000)
                service_ms.append(dt_ms)
                kind = ("place+" if q.get("place") else "") + (
                    "filters" if len(q) > 1 + ("place" in q) + ("page" in q) else "text"
                )
                per_kind.setdefault(kind + (" p20" if q.get("page") else ""), []).append(dt_ms)
                assert out.page == q.get("page", 1)
        print(f"\nsearch service, {label} (100 queries x {args.repeat} IPs): {_fmt(service_ms)}", flush=True)
        print(f"    CPU time of this process per search:   {_fmt(cpu_ms)}  (less sensitive to other load)")
        if not cache:
            cold_p95 = _pct(service_ms, 0.95)
        for kind, vals in sorted(per_kind.items()):
            print(f"    {kind:22s} n={len(vals):4d}  {_fmt(vals)}")
    engine_ms: list[float] = []
    # engine only: same queries through the index, no catalogue read
    from opencpf.search.index import SearchQuery
    from opencpf.search.selectors import SearchParams

    def to_query(q: dict[str, Any]) -> SearchQuery:
        p = SearchParams(**q)
        sq = SearchQuery(text=p.text, page=p.page, sort=p.sort, max_price_cents=p.max_price_cents)
        place = rt.gazetteer.resolve(p.place) if p.place else None
        if place:
            sq.latitude, sq.longitude = place.latitude, place.longitude
        return sq

    engine_qs = [to_query(q) for q in qs]
    for run in range(args.repeat if "service" in parts else 0):
        keys = round_keys(f"10.1.{run}.1", "x")
        for sq in engine_qs:
            t = time.perf_counter()
            rt.index.search(sq, keys)
            engine_ms.append((time.perf_counter() - t) * 1000)
    if engine_ms:
        print(f"index only (text/place/price/page):               {_fmt(engine_ms)}", flush=True)
    totals = [search_offers(_params(q), client_ip="1.1.1.1").total for q in qs[:10]]
    print(f"matches of the first 10 queries: {totals}")

    fair_qs = [q for q in qs if not q.get("place")][: args.fair_queries // 2] + [
        q for q in qs if q.get("place") and len(q) == 2
    ][: args.fair_queries - args.fair_queries // 2]
    if "fair" in parts:
        fair_exposure(rt, fair_qs, args.ips)

    pg_p95 = None
    if connection.vendor == "postgresql" and not args.no_pg_fts and "pgfts" in parts:
        from bench.search.pgfts import run_pg_fts

        pg_ms = run_pg_fts(qs, rt, repeat=max(1, args.repeat // 2))
        pg_p95 = _pct(pg_ms, 0.95)
        ours = _pct(service_ms, 0.95) if service_ms else float("nan")
        print(f"\nPostgreSQL full-text, same fair order over all matches: {_fmt(pg_ms)}")
        print(f"ratio of p95 (PostgreSQL FTS / ours, selector with cache): {pg_p95 / ours:.1f}x", flush=True)
        print(f"ratio of p95 (PostgreSQL FTS / ours, selector cache off): {pg_p95 / cold_p95:.1f}x", flush=True)

    if args.http and "http" in parts:
        from bench.search.http import run_http

        run_http(qs, args)


def fair_exposure(rt, qs: list[dict[str, Any]], n_ips: int) -> None:  # type: ignore[no-untyped-def]
    """Page-1 exposure of the top level's results over simulated client IPs."""
    from opencpf.search.analysis import normalise_query
    from opencpf.search.fairness import round_keys
    from opencpf.search.index import SearchQuery

    print(f"\nfair exposure over {n_ips} IPs (page 1, 20 results):")
    for q in qs:
        sq = SearchQuery(text=q.get("text", ""))
        place = rt.gazetteer.resolve(q["place"]) if q.get("place") else None
        if place is not None:
            sq.latitude, sq.longitude = place.latitude, place.longitude
        name = q.get("text", "") + (f" @ {q['place']}" if place else "")
        counts: dict[int, int] = {}
        top = 0
        t = time.perf_counter()
        for i in range(n_ips):
            ip = f"192.168.{i // 250}.{i % 250 + 1}"
            page = rt.index.search(sq, round_keys(ip, normalise_query(sq.text)))
            top = page.top_bucket_size
            best = page.hits[0].bucket if page.hits else 0
            for h in page.hits:
                if h.bucket == best:
                    counts[h.group] = counts.get(h.group, 0) + 1
        elapsed = time.perf_counter() - t
        if not counts:
            print(f"  {name!r}: no results")
            continue
        shown_slots = sum(counts.values())
        slots_per_ip = shown_slots / n_ips
        if top <= slots_per_ip:  # everyone sees the whole top level: nothing to share
            print(f"  {name!r:30} top level {top}: all shown to every IP")
            continue
        expected = shown_slots / top
        observed = list(counts.values()) + [0] * (top - len(counts))
        chi2 = sum((o - expected) ** 2 / expected for o in observed)
        dof = top - 1
        z = (chi2 - dof) / (2 * dof) ** 0.5
        ratio = max(observed) / min(observed) if min(observed) else float("inf")
        print(
            f"  {name!r:30} top level {top:7d}, distinct shown {len(counts):7d}, "
            f"expected per offer {expected:7.2f}, chi2/dof {chi2 / dof:5.2f} (z {z:+5.1f}), "
            f"max/min {ratio if ratio != float('inf') else 'inf (some never shown)'}  [{elapsed:.1f} s]"
        )
