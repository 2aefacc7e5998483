"""The same fair query on PostgreSQL full-text search, for comparison (benchmark only, never used by the product).

A side table `bench_search_fts` holds French tsvectors (accents removed with `unaccent`) with GIN indexes. The
query keeps every criterion of ours that SQL can express, counts all matches, and orders ALL matches by
(title match first, distance band) then md5(ip || query || offer id): a fair order over all matches, so PostgreSQL
cannot stop early at the first 20 rows. It does not group offers (ours does, which is more work).
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.db import connection

from bench.search.queries import PLACES  # noqa: F401 (same place list)


def _prepare() -> None:
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cur.execute("SELECT to_regclass('bench_search_fts') IS NOT NULL")
        exists = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM catalogue_offer WHERE is_published")
        published = cur.fetchone()[0]
        if exists:
            cur.execute("SELECT count(*) FROM bench_search_fts")
            if cur.fetchone()[0] > 0.9 * published:
                return
            cur.execute("DROP TABLE bench_search_fts")
        print("building bench_search_fts (tsvectors and GIN indexes) ...", flush=True)
        t = time.perf_counter()
        cur.execute(
            """
            CREATE TABLE bench_search_fts AS
            SELECT o.id AS offer_id, o.modality, o.latitude, o.longitude, o.price_incl_tax_cents AS price,
                   o.hours_total AS hours, o.disability_access, coalesce(c.level, 0) AS level,
                   to_tsvector('french', unaccent(c.code || ' ' || c.title || ' ' || t.title)) AS tv_title,
                   to_tsvector('french', unaccent(t.objectives || ' ' || t.content || ' ' || t.expected_results)) AS tv_desc
            FROM catalogue_offer o
            JOIN catalogue_training t ON t.id = o.training_id
            JOIN catalogue_certification c ON c.id = t.certification_id
            JOIN catalogue_provider p ON p.id = t.provider_id
            WHERE o.is_published AND p.status = 'referenced'
            """
        )
        cur.execute("ALTER TABLE bench_search_fts ADD COLUMN tv_all tsvector")
        cur.execute("UPDATE bench_search_fts SET tv_all = tv_title || tv_desc")
        cur.execute("CREATE INDEX ON bench_search_fts USING gin (tv_all)")
        cur.execute("CREATE INDEX ON bench_search_fts (latitude, longitude)")
        cur.execute("CREATE INDEX ON bench_search_fts (offer_id)")
        cur.execute("ANALYZE bench_search_fts")
        print(f"built in {time.perf_counter() - t:.0f} s", flush=True)


def _sql(q: dict[str, Any], rt: Any, ip: str) -> tuple[str, list[Any]]:
    where = ["TRUE"]
    params: list[Any] = []
    level = "0"
    text = q.get("text", "")
    if text.strip():
        where.append("tv_all @@ plainto_tsquery('french', unaccent(%s))")
        params.append(text)
        level = "CASE WHEN tv_title @@ plainto_tsquery('french', unaccent(%s)) THEN 0 ELSE 2 END"
    level_params = [text] if text.strip() else []
    dist = "0"
    dist_params: list[Any] = []
    place = rt.gazetteer.resolve(q["place"]) if q.get("place") and not q.get("distance_only") else None
    if place is not None:
        radius = 30.0
        dlat = radius / 110.574
        dlon = radius / (111.320 * math.cos(math.radians(place.latitude)))
        where.append("latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s")
        params += [place.latitude - dlat, place.latitude + dlat, place.longitude - dlon, place.longitude + dlon]
        hav = (
            "2 * 6371.0088 * asin(sqrt(power(sin(radians(latitude - %s) / 2), 2) + cos(radians(%s)) * "
            "cos(radians(latitude)) * power(sin(radians(longitude - %s) / 2), 2)))"
        )
        where.append(f"{hav} <= %s")
        params += [place.latitude, place.latitude, place.longitude, radius]
        dist = f"width_bucket({hav}, ARRAY[10, 30, 60]::float8[])"
        dist_params = [place.latitude, place.latitude, place.longitude]
    if q.get("max_price_cents") is not None:
        where.append("price <= %s")
        params.append(q["max_price_cents"])
    if q.get("distance_only"):
        where.append("modality = 'distance'")
    if q.get("modalities"):
        where.append("modality = ANY(%s)")
        params.append(list(q["modalities"]))
    if q.get("levels"):
        where.append("level = ANY(%s)")
        params.append(list(q["levels"]))
    if q.get("disability_access"):
        where.append("disability_access")
    if q.get("min_hours") is not None:
        where.append("hours >= %s")
        params.append(q["min_hours"])
    if q.get("max_hours") is not None:
        where.append("hours <= %s")
        params.append(q["max_hours"])
    if q.get("start_from") or q.get("start_to"):
        where.append(
            "EXISTS (SELECT 1 FROM catalogue_session s WHERE s.offer_id = f.offer_id AND s.is_recruiting "
            "AND s.start_date BETWEEN %s AND %s)"
        )
        params += [q.get("start_from") or "1970-01-01", q.get("start_to") or "2999-12-31"]
    sort = q.get("sort", "relevance")
    tie = "md5(%s || f.offer_id::text)"
    tie_params = [f"{ip}|{text}"]
    if sort == "price":
        order, order_params = f"price, {tie}", tie_params
    elif sort == "start":
        order = (
            "(SELECT min(s.start_date) FROM catalogue_session s WHERE s.offer_id = f.offer_id AND s.is_recruiting "
            f"AND s.start_date >= DATE '2026-03-02'), {tie}"
        )
        order_params = tie_params
    else:
        order = ", ".join(x for x in (level, dist) if x != "0") + (", " if text.strip() or dist != "0" else "") + tie
        order_params = level_params + dist_params + tie_params
    page = int(q.get("page", 1))
    sql = (
        f"SELECT f.offer_id, count(*) OVER () FROM bench_search_fts f WHERE {' AND '.join(where)} "
        f"ORDER BY {order} LIMIT 20 OFFSET {(page - 1) * 20}"
    )
    return sql, params + order_params


def run_pg_fts(qs: list[dict[str, Any]], rt: Any, *, repeat: int = 1) -> list[float]:
    _prepare()
    latencies: list[float] = []
    with connection.cursor() as cur:
        for run in range(repeat):
            ip = f"10.2.{run}.1"
            for q in qs:
                sql, params = _sql(q, rt, ip)
                t = time.perf_counter()
                cur.execute(sql, params)
                cur.fetchall()
                latencies.append((time.perf_counter() - t) * 1000)
    return latencies
