"""Server time and weight of every page of the three portals, on the demo data.

python -m bench.pages                 (N=20 requests per page, everything rolled back at the end)
python -m bench.pages --n 50 --keep   (keep the demo data and the sample records in the database)

Seeds the demo (`opencpf.web.demo`) and one sample record of each kind (`opencpf.web.page_tour`) unless they are
there, logs in as a holder, a provider's staff member and an agent (administrator) with Django's test client, asks
for every GET page of the portals N times (after one warm-up request) and prints per page: p50 and p95 of the
server time (the view, middleware and template, in process: no network), the SQL queries of one request, and the
weight of the HTML plus the CSS, JS and images it references (uncompressed). Targets: p95 <= 100 ms, <= 1 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import re
import statistics
import time
from pathlib import Path
from typing import Any

from bench._django import setup

TARGET_MS = 100.0
TARGET_BYTES = 1 << 20
EXTRA = [  # pages whose interesting state needs a query string
    ("holder:search?q=anglais&lieu=Lyon", "holder", "/recherche/?q=anglais&lieu=Lyon"),
    ("holder:search?q=comptabilite", "holder", "/recherche/?q=comptabilit%C3%A9"),
]
# Static files a modern browser fetches for the page (a `nomodule` script is for old browsers only).
ASSET = re.compile(rb'<(?:link[^>]+href|script(?![^>]*nomodule)[^>]+src|img[^>]+src)="(/static/[^"?#]+)')


class _Rollback(Exception):
    pass


def _asset_bytes(html: bytes, cache: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """(raw, gzip) bytes of the static files the page references (whitenoise serves them precompressed)."""
    from django.contrib.staticfiles import finders

    raw = packed = 0
    for ref in set(ASSET.findall(html)):
        path = ref.decode()
        if path not in cache:
            found = finders.find(path.removeprefix("/static/"))
            data = Path(found).read_bytes() if found else b""
            cache[path] = (len(data), len(gzip.compress(data, 6)))
        raw += cache[path][0]
        packed += cache[path][1]
    return raw, packed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(n: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client

    from opencpf.core import clock
    from opencpf.identity import second_factor
    from opencpf.identity.strong import SESSION_KEY
    from opencpf.web import page_tour

    tour = page_tour.build()
    clients: dict[str, Client] = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for who, user in tour.users.items():
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if who == "agent":  # the agent passed the second factor (identity.second_factor)
            session = clients[who].session
            second_factor.mark_passed(session, user, method=second_factor.METHOD_TOTP)
            session.save()
    strong = Client(HTTP_HOST="127.0.0.1")
    strong.force_login(tour.users["holder"], backend="django.contrib.auth.backends.ModelBackend")
    session = strong.session
    session[SESSION_KEY] = {"method": "totp", "until": (clock.now() + dt.timedelta(hours=2)).isoformat()}
    session.save()
    tour.prepare(clients)
    targets = [(p.name, p.who, p.path) for p in tour.pages()] + EXTRA
    sizes: dict[str, tuple[int, int]] = {}
    rows = []
    for name, who, path in targets:
        client = (
            strong
            if name in ("holder:dossier_accept", "holder:email_change", "holder:password_change", "holder:phone_change")
            else clients[who]
        )
        first = client.get(path)  # warm-up (and the page's kind)
        if first.status_code not in (200, 400) or "text/html" not in first.get("Content-Type", ""):
            continue
        queries: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any, seen: list = queries) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        html = first.content
        raw, packed = _asset_bytes(html, sizes)
        rows.append(
            {
                "page": name,
                "who": who,
                "p50": statistics.median(times),
                "p95": _pct(times, 0.95),
                "queries": len(queries),
                "html": len(html),
                "total": len(html) + raw,
                "gzip": len(gzip.compress(html, 6)) + packed,
            }
        )
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.pages", description=__doc__)
    parser.add_argument("--n", type=int, default=20, help="requests per page after one warm-up (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the demo and sample records (default: roll back)")
    args = parser.parse_args(argv)
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        with transaction.atomic():
            rows = measure(args.n)
            if not args.keep:
                raise _Rollback
    except _Rollback:
        pass
    print(
        f"database: {connection.vendor}, settings: {settings.SETTINGS_MODULE}, N={args.n}, "
        f"{len(rows)} pages, {time.perf_counter() - started:.1f} s"
    )
    print(
        f"{'page':<40} {'as':<9} {'p50 ms':>7} {'p95 ms':>7} {'SQL':>4} {'HTML kB':>8} {'+assets kB':>10} {'gzip kB':>8}"
    )
    for r in rows:
        flag = " <-- slow" if r["p95"] > TARGET_MS else ""
        flag += " <-- heavy" if r["total"] > TARGET_BYTES else ""
        print(
            f"{r['page']:<40} {r['who']:<9} {r['p50']:7.1f} {r['p95']:7.1f} {r['queries']:4d} "
            f"{r['html'] / 1024:8.1f} {r['total'] / 1024:10.1f} {r['gzip'] / 1024:8.1f}{flag}"
        )
    if rows:
        worst = max(rows, key=lambda r: r["p95"])
        heaviest = max(rows, key=lambda r: r["total"])
        slow = [r["page"] for r in rows if r["p95"] > TARGET_MS]
        heavy = [r["page"] for r in rows if r["total"] > TARGET_BYTES]
        print(
            f"worst p95: {worst['p95']:.1f} ms ({worst['page']}); heaviest: {heaviest['total'] / 1024:.0f} kB "
            f"({heaviest['page']}); over {TARGET_MS:.0f} ms p95: {slow or 'none'}; over 1 MB: {heavy or 'none'}"
        )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
