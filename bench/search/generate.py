"""A fast bulk generator for a realistic catalogue (COPY on PostgreSQL, executemany on SQLite).

Deterministic for a given seed and size. It replaces the whole catalogue of the benchmark database.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from bench.search.data import (
    CITIES,
    GENERIC_CONTENT,
    GENERIC_OBJECTIVES,
    PREFIXES,
    PROVIDER_NAMES,
    PROVIDER_WORDS,
    RESULTS,
    TITLE_SUFFIXES,
    TRADES,
)

TABLES = {
    "catalogue_provider": (
        ["id", "name", "siret", "nda", "status", "headcount", "email", "phone", "created_at", "referenced_at"],
    ),
    "catalogue_certification": (["id", "code", "kind", "title", "level", "is_active", "valid_until"],),
    "catalogue_training": (
        [
            "id",
            "reference",
            "title",
            "objectives",
            "content",
            "expected_results",
            "prerequisites",
            "has_prerequisites",
            "formacode_codes",
            "nsf_codes",
            "rome_codes",
            "entry_level",
            "exit_level",
            "created_at",
            "updated_at",
            "certification_id",
            "provider_id",
        ],
    ),
    "catalogue_offer": (
        [
            "id",
            "reference",
            "modality",
            "address",
            "postcode",
            "city",
            "insee_code",
            "latitude",
            "longitude",
            "hours_total",
            "hours_centre",
            "hours_company",
            "price_incl_tax_cents",
            "price_excl_tax_cents",
            "disability_access",
            "disability_details",
            "contact_email",
            "contact_phone",
            "is_published",
            "created_at",
            "updated_at",
            "training_id",
        ],
    ),
    "catalogue_session": (["id", "reference", "start_date", "end_date", "is_recruiting", "capacity", "offer_id"],),
}


def _filler(table: str) -> tuple[list[str], tuple[Any, ...]]:
    """Columns the generator does not know (added to the models later) that refuse NULL, with their defaults."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    known = set(TABLES[table][0])
    cols: list[str] = []
    values: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.column in known or f.null or f.primary_key:
            continue
        default = f.get_default()
        if default is None:
            continue
        cols.append(f.column)
        values.append(json.dumps(default) if isinstance(default, list | dict) else default)
    return cols, tuple(values)


def _write(table: str, rows: Iterable[Sequence[Any]]) -> int:
    extra_cols, extra = _filler(table)
    cols = TABLES[table][0] + extra_cols
    if extra_cols:
        rows = (tuple(row) + extra for row in rows)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 20000:
                    cur.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
                n += len(batch)
    return n


def wipe() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "TRUNCATE catalogue_session, catalogue_offer, catalogue_training, catalogue_certification, "
                "catalogue_provider, search_offerchange RESTART IDENTITY CASCADE"
            )
        else:
            for t in (
                "search_offerchange",
                "catalogue_session",
                "catalogue_offer",
                "catalogue_training",
                "catalogue_certification",
            ):
                cur.execute(f"DELETE FROM {t}")
            cur.execute(
                "DELETE FROM catalogue_provider WHERE id NOT IN (SELECT provider_id FROM identity_providermembership)"
            )


def generate(*, offers: int, sessions: int, seed: int = 20260302, today: dt.date | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or dt.date(2026, 3, 2)
    now: Any = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    if connection.vendor != "postgresql":  # the text form Django's SQLite backend writes and compares
        now = connection.ops.adapt_datetimefield_value(now)
    started = time.perf_counter()
    n_trainings = max(1, offers // 2)
    n_providers = max(5, offers // 25)
    counts: dict[str, int] = {}
    with transaction.atomic():
        wipe()
        # Certifications: about 40 per trade.
        certs: list[tuple[int, int, int]] = []  # (id, trade, level)
        cert_rows = []
        cid = 0
        for ti, (trade, _dom, _kw, _price, _hours, level) in enumerate(TRADES):
            for k in range(40):
                cid += 1
                prefix = PREFIXES[(ti + k) % len(PREFIXES)]
                lvl = level or rng.choice([0, 3, 4, 5])
                title = f"{prefix} {trade}" + (f" - option {k}" if k >= len(PREFIXES) else "")
                kind = "RS" if lvl == 0 else "RNCP"
                code = f"{kind}{30000 + cid}"
                cert_rows.append((cid, code, kind, title, lvl or None, True, None))
                certs.append((cid, ti, lvl))
        counts["certifications"] = _write("catalogue_certification", cert_rows)
        certs_by_trade: dict[int, list[int]] = {}
        for c, ti, _ in certs:
            certs_by_trade.setdefault(ti, []).append(c)

        city_weights = [c[5] for c in CITIES]
        provider_city: list[list[int]] = [[]]
        prov_rows = []
        for pid in range(1, n_providers + 1):
            home = rng.choices(range(len(CITIES)), city_weights)[0]
            cities = [home] + ([rng.choices(range(len(CITIES)), city_weights)[0]] if rng.random() < 0.3 else [])
            provider_city.append(cities)
            name = f"{rng.choice(PROVIDER_WORDS)} {rng.choice(PROVIDER_NAMES)} {CITIES[home][0]} {pid}"
            status = "referenced" if rng.random() < 0.98 else "suspended"
            prov_rows.append((pid, name, f"{pid:014d}", f"{pid:011d}", status, rng.randint(1, 400), "", "", now, now))
        counts["providers"] = _write("catalogue_provider", prov_rows)
        del prov_rows

        trade_weights = [3 if "informatique" in kw else 1 for _t, _d, kw, *_ in TRADES]
        train_info: list[tuple[int, int]] = [(0, 0)]  # (trade, provider)

        def trainings() -> Iterable[tuple[Any, ...]]:
            for tid in range(1, n_trainings + 1):
                ti = rng.choices(range(len(TRADES)), trade_weights)[0]
                trade, dom, kw, _price, _hours, level = TRADES[ti]
                pid = rng.randint(1, n_providers)
                train_info.append((ti, pid))
                title = trade + rng.choice(TITLE_SUFFIXES)
                objectives = " ".join([f"Maîtriser : {kw}."] + rng.sample(GENERIC_OBJECTIVES, 2))
                content = " ".join(rng.sample(GENERIC_CONTENT, 2))
                results = rng.choice(RESULTS)
                formacode = [f"{dom}{rng.randint(100, 999)}"]
                yield (
                    tid,
                    f"F{tid}",
                    title,
                    objectives,
                    content,
                    results,
                    "",
                    False,
                    json.dumps(formacode),
                    "[]",
                    "[]",
                    None,
                    level or None,
                    now,
                    now,
                    rng.choice(certs_by_trade[ti]),
                    pid,
                )

        counts["trainings"] = _write("catalogue_training", trainings())

        offer_rows = []
        oid = 0
        tid = 0
        while oid < offers:
            tid = tid % n_trainings + 1
            ti, pid = train_info[tid]
            trade, _dom, _kw, base_price, hours, _level = TRADES[ti]
            n_here = 1 if rng.random() < 0.45 else rng.choice([1, 2, 2, 3])
            modality = rng.choices(["in_person", "distance", "mixed"], [70, 20, 10])[0]
            city = CITIES[rng.choice(provider_city[pid])]
            price = int(base_price * rng.uniform(0.6, 1.6)) // 10 * 1000
            for k in range(n_here):
                if oid >= offers:
                    break
                oid += 1
                if k and rng.random() < 0.5:  # another action of the same training: maybe another price
                    price = int(base_price * rng.uniform(0.6, 1.6)) // 10 * 1000
                dist = modality == "distance"
                offer_rows.append(
                    (
                        oid,
                        f"A{oid}",
                        modality,
                        "" if dist else f"{rng.randint(1, 120)} rue de la République",
                        "" if dist else city[1],
                        "" if dist else city[0],
                        "" if dist else city[2],
                        None if dist else city[3] + rng.uniform(-0.03, 0.03),
                        None if dist else city[4] + rng.uniform(-0.03, 0.03),
                        hours,
                        hours,
                        0,
                        price,
                        price * 100 // 120,
                        rng.random() < 0.9,
                        "",
                        "",
                        "",
                        rng.random() < 0.97,
                        now,
                        now,
                        tid,
                    )
                )
        counts["offers"] = _write("catalogue_offer", offer_rows)
        del offer_rows

        def session_rows() -> Iterable[tuple[Any, ...]]:
            sid = 0
            per = sessions / offers
            for o in range(1, offers + 1):
                k = int(per) + (1 if rng.random() < per - int(per) else 0)
                for j in range(k):
                    sid += 1
                    start = today + dt.timedelta(days=rng.randint(-30, 365))
                    yield (
                        sid,
                        f"S{j}",
                        start,
                        start + dt.timedelta(days=rng.randint(2, 200)),
                        rng.random() < 0.92,
                        12,
                        o,
                    )

        counts["sessions"] = _write("catalogue_session", session_rows())
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for t in TABLES:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST(1, (SELECT MAX(id) FROM {t})))"
                    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    counts["seconds"] = int(time.perf_counter() - started)
    return counts
