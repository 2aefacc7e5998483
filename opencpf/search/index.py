"""The in-memory index and the ranking: relevance levels, the fair order, filters, facets, grouping.

A `Segment` is an immutable set of documents: per-field posting lists (term -> sorted document numbers) and
NumPy columns. The `SearchIndex` holds a large base segment (built once, shared by forked workers) and a small
delta segment rebuilt from the offers changed since; a changed offer's base document is masked dead.

A result is a *group* (same provider, certification, place, price and modality): its level is the best level
of its matching offers; its tie key is the keyed permutation of its anchor (smallest offer id when created).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opencpf.search import analysis
from opencpf.search.documents import MODALITIES, NO_DATE, Doc
from opencpf.search.fairness import tie_keys
from opencpf.search.geo import DEFAULT_RADIUS_KM, distance_band, haversine_km
from opencpf.search.segment import NO_MATCH, PRICE_BANDS_CENTS, Segment, group_hash

TEXT_LEVELS = {
    0: "tous les mots de la recherche figurent dans l'intitulé de la formation ou de la certification",
    1: "tous les mots figurent dans les intitulés ou dans les domaines Formacode et métiers ROME",
    2: "certains mots ne figurent que dans la description",
}
DATE_FIT_DAYS = 30
SORTS = ("relevance", "price", "distance", "start", "rating")
MAX_ANCHOR = 2**32 - 1
SPARSE_FRACTION = 1 / 8  # below this share of matching documents, filters read the matches only


@dataclass
class SearchQuery:
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    distance_only: bool = False
    modalities: tuple[int, ...] = ()
    start_from: int | None = None  # day numbers (see documents.day_number)
    start_to: int | None = None
    max_price_cents: int | None = None
    min_hours: int | None = None
    max_hours: int | None = None
    levels: tuple[int, ...] = ()
    min_rating: float | None = None
    disability_access: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass
class Hit:
    group: int
    offer_id: int
    position: int
    bucket: int
    text_level: int | None
    distance_km: float | None
    distance_band: int | None
    date_band: int | None
    tie_key: int
    sort_value: int
    segment: int = 0
    doc: int = 0


@dataclass
class ResultPage:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    top_bucket_size: int
    terms: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class _Candidates:
    docs: np.ndarray
    bucket: np.ndarray
    text_level: np.ndarray | None
    dist: np.ndarray | None
    date_band: np.ndarray | None


def _bbox(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    dlat = radius_km / 110.574 + 0.01
    dlon = radius_km / max(1.0, 111.320 * math.cos(math.radians(lat))) + 0.01
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


class SearchIndex:
    def __init__(self, docs: Sequence[Doc], *, built_day: int) -> None:
        self.built_day = built_day
        self.surface_words: set[str] = set()
        self.domain_index: dict[str, int] = {}
        hashes = np.fromiter((group_hash(d) for d in docs), dtype=np.int64, count=len(docs))
        uniq, inverse = np.unique(hashes, return_inverse=True)
        self.group_hashes = uniq  # sorted: base groups are found by binary search
        offer_ids = np.fromiter((d.offer_id for d in docs), dtype=np.int64, count=len(docs))
        anchors = np.full(len(uniq), MAX_ANCHOR, dtype=np.int64)
        np.minimum.at(anchors, inverse, offer_ids)
        self.anchor = anchors.astype(np.uint32)  # offer ids are below 2**32
        self.extra_groups: dict[int, int] = {}  # hash -> gid for groups created after the base build
        self.used_anchors: set[int] = set()
        # Base documents are stored group by group, so the members of a group are contiguous: matching documents
        # come out sorted by group and one result per group is a vectorised run-length reduction.
        order = np.argsort(inverse, kind="stable")
        self.base = Segment(
            [docs[i] for i in order.tolist()], inverse[order].astype(np.int32), self.surface_words, self.domain_index
        )
        del order
        sizes = np.bincount(self.base.gid, minlength=len(uniq))
        self.base.multi = sizes[self.base.gid] > 1
        self.group_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self.base_by_offer = np.argsort(self.base.offer_id).astype(np.int32)
        self.delta_docs: dict[int, Doc] = {}
        self.delta: Segment | None = None
        self.delta_surface: set[str] = set()
        self.cache_bytes = 96 << 20
        self._generation = 0
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = 0
        self._cache_lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_cache"], state["_cache_size"], state["_cache_lock"] = OrderedDict(), 0, None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._cache_lock = threading.Lock()

    # ----- size and maintenance -----
    @property
    def n_groups(self) -> int:
        return len(self.anchor)

    @property
    def size(self) -> int:
        dead = int((~self.base.alive).sum())
        return self.base.n - dead + (self.delta.n if self.delta else 0)

    def _group_for(self, doc: Doc) -> int:
        h = group_hash(doc)
        k = int(np.searchsorted(self.group_hashes, h))
        if k < len(self.group_hashes) and self.group_hashes[k] == h:
            return k
        gid = self.extra_groups.get(h)
        if gid is None:
            gid = len(self.anchor)
            anchor = doc.offer_id
            if anchor >= MAX_ANCHOR or bool(np.any(self.anchor == anchor)) or anchor in self.used_anchors:
                # An offer that left a group keeps its anchor there: take a free one from the top, going down.
                anchor = MAX_ANCHOR - len(self.used_anchors) - 1
                while bool(np.any(self.anchor == anchor)) or anchor in self.used_anchors:
                    anchor -= 1
            self.used_anchors.add(anchor)
            self.anchor = np.append(self.anchor, np.uint32(anchor))
            self.extra_groups[h] = gid
        return gid

    def apply(self, changed_offer_ids: Iterable[int], fresh_docs: Sequence[Doc]) -> None:
        """Make the index reflect the current state of these offers (`fresh_docs`: the searchable ones)."""
        ids = np.array(sorted(set(changed_offer_ids)), dtype=np.int64)
        if len(ids) == 0:
            return
        self._generation += 1
        self.clear_cache()
        if self.base.n:
            sorted_ids = self.base.offer_id[self.base_by_offer]
            pos = np.clip(np.searchsorted(sorted_ids, ids), 0, self.base.n - 1)
            found = sorted_ids[pos] == ids
            self.base.alive[self.base_by_offer[pos[found]]] = False
            self.base.all_alive = bool(self.base.alive.all())
        for oid in ids.tolist():
            self.delta_docs.pop(oid, None)
        for d in fresh_docs:
            self.delta_docs[d.offer_id] = d
        docs = [self.delta_docs[k] for k in sorted(self.delta_docs)]
        gids = np.array([self._group_for(d) for d in docs], dtype=np.int32)
        self.delta = Segment(docs, gids, self.delta_surface, self.domain_index) if docs else None
        if self.delta is not None:  # groups shared with the base are no longer singletons
            dsizes = np.bincount(self.delta.gid, minlength=self.n_groups)
            n_base = len(self.group_offsets) - 1
            base_sizes = np.zeros(self.n_groups, dtype=np.int64)
            base_sizes[:n_base] = np.diff(self.group_offsets)
            self.delta.multi = (dsizes[self.delta.gid] + base_sizes[self.delta.gid]) > 1
            for g in np.unique(self.delta.gid).tolist():
                if g < n_base:
                    self.base.multi[self.group_offsets[g] : self.group_offsets[g + 1]] = True

    def segments(self) -> list[Segment]:
        return [self.base] + ([self.delta] if self.delta is not None else [])

    def _member_docs(self, gid: int) -> list[tuple[Segment, int]]:
        out: list[tuple[Segment, int]] = []
        if gid < len(self.group_offsets) - 1:
            lo, hi = self.group_offsets.item(gid), self.group_offsets.item(gid + 1)
            if hi - lo == 1:  # most groups have one offer
                if self.base.alive.item(lo):
                    out.append((self.base, lo))
            else:
                docs = np.arange(lo, hi)
                out.extend((self.base, int(d)) for d in docs[self.base.alive[docs]])
        if self.delta is not None:
            out.extend((self.delta, int(d)) for d in np.flatnonzero(self.delta.gid == gid))
        return out

    def members(self, gid: int) -> list[int]:
        """Offer ids currently in a group."""
        return sorted(int(seg.offer_id[d]) for seg, d in self._member_docs(gid))

    def display(self, hit: Hit, *, from_day: int) -> dict:
        """What a result shows, read from the index: no database row."""
        seg = self.segments()[hit.segment]
        d = hit.doc
        starts: list[int] = []
        offer_ids: list[int] = []
        for mseg, md in self._member_docs(hit.group):
            offer_ids.append(mseg.offer_id.item(md))
            ss = mseg.sess_start[mseg.sess_offsets.item(md) : mseg.sess_offsets.item(md + 1)]
            starts.extend(ss[ss >= from_day].tolist())
        starts.sort()
        return {
            "offer_id": seg.offer_id.item(d),
            "offer_ids": sorted(offer_ids) or [seg.offer_id.item(d)],
            "title": seg.s_title.get(d),
            "certification_code": seg.s_cert_code.get(d),
            "certification_title": seg.s_cert_title.get(d),
            "level": seg.level.item(d) or None,
            "provider_name": seg.s_provider.get(d),
            "modality": MODALITIES[seg.modality.item(d)],
            "city": seg.s_city.get(d),
            "postcode": seg.s_postcode.get(d),
            "price_cents": seg.price.item(d),
            "hours": seg.hours.item(d),
            "starts": starts,
        }

    # ----- query -----
    def explain_fields_many(
        self, hits: Sequence[Hit], terms: list[tuple[str, list[str]]]
    ) -> list[list[tuple[str, list[str]]]]:
        """For each hit, each query word with the fields it was found in (vectorised over the page)."""
        out: list[list[tuple[str, list[str]]]] = [[] for _ in hits]
        segs = self.segments()
        for si, seg in enumerate(segs):
            idx = [i for i, h in enumerate(hits) if h.segment == si]
            if not idx:
                continue
            docs = np.array([hits[i].doc for i in idx], dtype=np.int32)
            for surface, stems in terms:
                per_doc = seg.matched_fields_many(docs, seg.term_ids(stems))
                for j, i in enumerate(idx):
                    out[i].append((surface, per_doc[j]))
        return out

    def explain_fields(self, hit: Hit, terms: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
        seg = self.segments()[hit.segment]
        return [(surface, seg.matched_fields(hit.doc, seg.term_ids(stems))) for surface, stems in terms]

    def resolve_terms(self, text: str) -> list[tuple[str, list[str]]]:
        """Each distinct query word with the stems it may match (synonyms, typo variants of unknown words)."""
        out = []
        for surface, stems in analysis.query_terms(text):
            wanted = set(stems)
            if surface not in self.surface_words and surface not in self.delta_surface:
                for w in analysis.typo_variants(surface, self.surface_words) | analysis.typo_variants(
                    surface, self.delta_surface
                ):
                    wanted.add(analysis.stem(w))
            out.append((surface, sorted(wanted)))
        return out

    def _match(self, seg: Segment, q: SearchQuery, terms: list[tuple[str, list[str]]]) -> _Candidates:
        """The matching documents (ascending) with their level. Filters are vectorised either over every document
        (boolean masks: cheap sequential passes, when many match) or over the few matching ones (gathers)."""
        level_all = None
        mask: np.ndarray | None = None  # dense mode: one flag per document of the segment
        docs = np.zeros(0, dtype=np.int64)
        if terms:
            level_all = seg.text_level([seg.term_ids(stems) for _, stems in terms])
            mask = level_all != NO_MATCH
            if not seg.all_alive:
                mask &= seg.alive
            if np.count_nonzero(mask) < seg.n * SPARSE_FRACTION:  # few matches: filter them one by one
                docs, mask = np.flatnonzero(mask), None
        elif not seg.all_alive:
            mask = seg.alive.copy()
        every = mask is None and not terms  # no text, nothing masked yet: every document so far

        def keep(column: np.ndarray, test: Any) -> None:
            nonlocal docs, mask, every
            if every:
                first = test(column)
                mask, every = (first.copy() if first is column else first), False
            elif mask is not None:
                mask &= test(column)
            else:
                docs = docs[test(column[docs])]

        place = q.latitude is not None and q.longitude is not None and not q.distance_only
        if place:  # a cheap box first, the exact distance on what is left
            la0, la1, lo0, lo1 = _bbox(float(q.latitude), float(q.longitude), q.radius_km)  # type: ignore[arg-type]
            keep(seg.lat, lambda a: (a >= la0) & (a <= la1))
            keep(seg.lon, lambda a: (a >= lo0) & (a <= lo1))
        if q.distance_only:
            keep(seg.modality, lambda a: a == MODALITIES.index("distance"))
        if q.modalities:
            allowed = np.zeros(256, dtype=bool)
            allowed[list(q.modalities)] = True
            keep(seg.modality, lambda a: allowed[a])
        if q.max_price_cents is not None:
            keep(seg.price, lambda a: a <= q.max_price_cents)
        if q.min_hours is not None:
            keep(seg.hours, lambda a: a >= q.min_hours)
        if q.max_hours is not None:
            keep(seg.hours, lambda a: a <= q.max_hours)
        if q.levels:
            wanted = np.zeros(256, dtype=bool)
            wanted[[lv for lv in q.levels if 0 <= lv < 256]] = True
            keep(seg.level, lambda a: wanted[a])
        if q.disability_access:
            keep(seg.disability, lambda a: a)
        if q.min_rating is not None:
            keep(seg.rating, lambda a: a >= q.min_rating)  # unrated offers (NaN) never pass a minimum
        early: np.ndarray | None = None
        dated = q.start_from is not None or q.start_to is not None
        if dated:
            lo = q.start_from if q.start_from is not None else 0
            hi = q.start_to if q.start_to is not None else NO_DATE - 1
            early_hi = min(hi, lo + DATE_FIT_DAYS) if hi - lo > DATE_FIT_DAYS else None
            if mask is not None or every:  # many documents: mark those of the sessions in the range
                has = np.zeros(seg.n, dtype=bool)
                has[seg.docs_starting(lo, hi)] = True
                keep(has, lambda a: a)
                if early_hi is not None:
                    early = np.zeros(seg.n, dtype=bool)
                    early[seg.docs_starting(lo, early_hi)] = True
            else:  # few documents: read their own sessions
                in_range, soon = seg.sessions_between(docs, lo, hi, early_hi)
                docs = docs[in_range]
                if early_hi is not None:
                    early = np.zeros(seg.n, dtype=bool)
                    early[docs[soon[in_range]]] = True
        if every:
            docs = np.arange(seg.n)
        elif mask is not None:
            docs = np.flatnonzero(mask)
        text_level = level_all[docs] if level_all is not None else None
        dist = None
        if place:
            dist = haversine_km(float(q.latitude), float(q.longitude), seg.lat[docs], seg.lon[docs])  # type: ignore[arg-type]
            inside = dist <= q.radius_km  # NaN (distance learning) is never inside
            docs, dist = docs[inside], dist[inside]
            if text_level is not None:
                text_level = text_level[inside]
        date_band = None
        if dated:
            date_band = np.zeros(len(docs), dtype=np.uint8) if early is None else (~early[docs]).astype(np.uint8)
        bucket = np.zeros(len(docs), dtype=np.uint8)
        if text_level is not None:
            bucket += text_level * np.uint8(16)
        if dist is not None:
            bucket += distance_band(dist) * np.uint8(4)
        if date_band is not None:
            bucket += date_band
        return _Candidates(docs, bucket, text_level, dist, date_band)

    def _prepared(self, q: SearchQuery) -> dict:
        """What a query matches, with one result per group and the facets: independent of the client IP and
        of the page, so it is kept in a small LRU cache (emptied whenever the index changes)."""
        sig = (
            self._generation,
            analysis.normalise_query(q.text), q.latitude, q.longitude, q.radius_km, q.distance_only, q.modalities,
            q.start_from, q.start_to, q.max_price_cents, q.min_hours, q.max_hours, q.levels, q.min_rating,
            q.disability_access,
        )  # fmt: skip
        with self._cache_lock:
            hit = self._cache.get(sig)
            if hit is not None:
                self._cache.move_to_end(sig)
                return hit
        terms = self.resolve_terms(q.text)
        segs = self.segments()
        parts = [self._match(s, q, terms) for s in segs]
        groups, bucket, seg_r, cand_r = self._one_per_group(segs, parts)
        total = len(groups)

        def per_result(name: str, dtype: Any) -> np.ndarray | None:
            """A candidate column (docs, text level, distance, date band) taken for each result."""
            if getattr(parts[0], name) is None:
                return None
            if seg_r is None:
                return getattr(parts[0], name)[cand_r].astype(dtype, copy=False)
            out = np.empty(total, dtype=dtype)
            for i, pt in enumerate(parts):
                sel = seg_r == i
                out[sel] = getattr(pt, name)[cand_r[sel]]
            return out

        entry: dict = {
            "terms": terms, "segs": segs, "groups": groups.astype(np.int32, copy=False), "bucket": bucket,
            "seg_r": seg_r, "rep_docs": per_result("docs", np.int32), "text_level": per_result("text_level", np.uint8),
            "dist": per_result("dist", np.float32), "date_band": per_result("date_band", np.uint8),
        }  # fmt: skip
        entry["anchors"] = self.anchor[entry["groups"]]
        counts = np.zeros(256, dtype=np.int64)
        if total:
            if bucket.min() == bucket.max():
                counts[int(bucket[0])] = total
            else:
                counts = np.bincount(bucket, minlength=256)
        entry["counts"] = counts
        packed = all(getattr(sg, "facet_all", None) is not None for sg in segs)
        entry["facets"] = self._facets(lambda name: self._attr(entry, name), total, packed=packed)
        size = sum(
            a.nbytes
            for k in ("groups", "bucket", "seg_r", "rep_docs", "text_level", "dist", "date_band", "anchors")
            if (a := entry[k]) is not None
        )
        if self.cache_bytes and size < self.cache_bytes // 4:
            with self._cache_lock:
                self._cache[sig] = entry
                self._cache_size += size
                entry["size"] = size
                while self._cache_size > self.cache_bytes and self._cache:
                    _, old = self._cache.popitem(last=False)
                    self._cache_size -= old.get("size", 0)
        return entry

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()
            self._cache_size = 0

    @staticmethod
    def _attr(entry: dict, name: str) -> np.ndarray:
        """A document column for each result (its representative offer)."""
        segs, seg_r, rep_docs = entry["segs"], entry["seg_r"], entry["rep_docs"]
        if seg_r is None:
            return getattr(segs[0], name)[rep_docs]
        out = np.empty(len(rep_docs), dtype=getattr(segs[0], name).dtype)
        for i, sg in enumerate(segs):
            sel = seg_r == i
            out[sel] = getattr(sg, name)[rep_docs[sel]]
        return out

    def search(self, q: SearchQuery, keys: tuple[int, int, int]) -> ResultPage:
        entry = self._prepared(q)
        terms, segs = entry["terms"], entry["segs"]
        groups, bucket, seg_r, rep_docs = entry["groups"], entry["bucket"], entry["seg_r"], entry["rep_docs"]
        total = len(groups)

        def attr(name: str) -> np.ndarray:
            return self._attr(entry, name)

        def cand_value(k: int, name: str) -> float | int | None:
            arr = entry[name]
            return None if arr is None else arr[k].item()

        counts = entry["counts"]
        present = np.flatnonzero(counts)
        top_bucket_size = int(counts[present[0]]) if total else 0
        start = (q.page - 1) * q.page_size
        stop = min(start + q.page_size, total)
        sel = np.zeros(0, dtype=np.int64)
        ties_sel = np.zeros(0, dtype=np.uint32)
        value_sel = np.zeros(0, dtype=np.int64)
        if start < total:
            if q.sort == "relevance" or (q.sort == "distance" and entry["dist"] is None):
                # Only the levels that overlap the requested page need their tie keys.
                cum = np.cumsum(counts)
                b_lo = int(np.searchsorted(cum, start, side="right"))
                b_hi = int(np.searchsorted(cum, stop - 1, side="right"))
                before = int(cum[b_lo - 1]) if b_lo else 0
                if b_lo <= present[0] and b_hi >= present[-1]:
                    cand = np.arange(total)
                    sub_anchors = entry["anchors"]
                else:
                    cand = np.flatnonzero((bucket >= b_lo) & (bucket <= b_hi))
                    sub_anchors = entry["anchors"][cand]
                ties = tie_keys(sub_anchors, keys)
                key = (
                    ties if b_lo == b_hi else (bucket[cand].astype(np.uint64) << np.uint64(32)) | ties.astype(np.uint64)
                )
                lo, hi = start - before, stop - before
                part = np.argpartition(key, hi - 1)[:hi] if hi < len(key) else np.arange(len(key))
                part = part[np.argsort(key[part], kind="stable")][lo:hi]
                sel = cand[part]
                ties_sel = ties[part]
                value_sel = bucket[sel].astype(np.int64)
            else:
                ties = tie_keys(entry["anchors"], keys)
                if q.sort == "price":
                    value = np.minimum(attr("price"), 2**31 - 1)
                elif q.sort == "start":
                    value = attr("next_start").astype(np.int64)
                elif q.sort == "rating":
                    r = attr("rating")
                    value = np.where(np.isnan(r), 255, 50 - np.round(np.nan_to_num(r) * 10)).astype(np.int64)
                else:  # distance, in tens of metres
                    value = np.round(entry["dist"].astype(np.float64) * 100).astype(np.int64)
                key = (value.astype(np.uint64) << np.uint64(32)) | ties.astype(np.uint64)
                part = np.argpartition(key, stop - 1)[:stop] if stop < total else np.arange(total)
                sel = part[np.argsort(key[part], kind="stable")][start:stop]
                ties_sel = ties[sel]
                value_sel = value[sel]

        hits: list[Hit] = []
        for rank, k in enumerate(sel.tolist()):
            si = int(seg_r[k]) if seg_r is not None else 0
            doc = int(rep_docs[k])
            d_km = cand_value(k, "dist")
            hits.append(
                Hit(
                    group=int(groups[k]),
                    offer_id=int(segs[si].offer_id[doc]),
                    position=start + rank + 1,
                    bucket=int(bucket[k]),
                    text_level=cand_value(k, "text_level"),  # type: ignore[arg-type]
                    distance_km=d_km,
                    distance_band=int(distance_band(np.array([d_km]))[0]) if d_km is not None else None,
                    date_band=cand_value(k, "date_band"),  # type: ignore[arg-type]
                    tie_key=int(ties_sel[rank]),
                    sort_value=int(value_sel[rank]),
                    segment=si,
                    doc=doc,
                )
            )
        return ResultPage(total=total, hits=hits, facets=entry["facets"], top_bucket_size=top_bucket_size, terms=terms)

    def _one_per_group(
        self, segs: list[Segment], parts: list[_Candidates]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """(group, level, segment or None when all in the base, candidate index) of each result.

        A group's result is its best-levelled matching offer; among equals, the first one in storage order."""
        b = parts[0]
        g = self.base.gid[b.docs]
        n = len(g)
        if n:
            new = np.empty(n, dtype=bool)
            new[0] = True
            np.not_equal(g[1:], g[:-1], out=new[1:])
            starts = np.flatnonzero(new)
        else:
            starts = np.zeros(0, dtype=np.int64)
        if len(starts) == n:
            pos = np.arange(n)
        elif b.bucket.min() == b.bucket.max():
            pos = starts  # one level: the first offer of each group
        else:  # a group is taken by its first offer at the best level it reaches
            run = np.cumsum(new, dtype=np.int32) - 1
            run_best = np.full(len(starts), 255, dtype=np.uint8)
            np.minimum.at(run_best, run, b.bucket)
            idx = np.flatnonzero(b.bucket == run_best[run])
            r = run[idx]
            first = np.empty(len(r), dtype=bool)
            first[0] = True
            np.not_equal(r[1:], r[:-1], out=first[1:])
            pos = idx[first]
        groups, bucket = g[pos], b.bucket[pos]
        if len(parts) == 1 or not len(parts[1].docs):
            return groups, bucket, None, pos
        d, dseg = parts[1], segs[1]
        best: dict[int, int] = {}
        for i, (gg, bk) in enumerate(zip(dseg.gid[d.docs].tolist(), d.bucket.tolist(), strict=True)):
            j = best.get(gg)
            if j is None or bk < d.bucket[j]:
                best[gg] = i
        dg = np.array(sorted(best), dtype=np.int32)
        di = np.array([best[x] for x in sorted(best)], dtype=np.int64)
        keep_base = np.ones(len(groups), dtype=bool)
        keep_delta = np.ones(len(dg), dtype=bool)
        if len(groups):
            k = np.clip(np.searchsorted(groups, dg), 0, len(groups) - 1)
            for t in np.flatnonzero(groups[k] == dg).tolist():
                if d.bucket[di[t]] < bucket[k[t]]:
                    keep_base[k[t]] = False
                else:
                    keep_delta[t] = False
        return (
            np.concatenate([groups[keep_base], dg[keep_delta]]),
            np.concatenate([bucket[keep_base], d.bucket[di[keep_delta]]]),
            np.concatenate([np.zeros(int(keep_base.sum()), np.int8), np.ones(int(keep_delta.sum()), np.int8)]),
            np.concatenate([pos[keep_base], di[keep_delta]]),
        )

    def _facets(self, col, total: int, *, packed: bool = False) -> dict[str, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
        if total == 0:
            return {"modality": [], "level": [], "price": [], "domain": []}
        codes = sorted(self.domain_index, key=self.domain_index.__getitem__)
        if packed:  # one count over (modality, level, price band, domain)
            counts = np.bincount(col("facet_all"), minlength=1 << 16).reshape(len(MODALITIES) + 1, 16, 8, 128)
            mod = counts.sum(axis=(1, 2, 3))
            lvl = counts.sum(axis=(0, 2, 3))
            pb = counts.sum(axis=(0, 1, 3))
            dc = counts.sum(axis=(0, 1, 2))[: len(codes)]
        else:
            by_code = np.bincount(col("facet_code"), minlength=1 << 9).reshape(len(MODALITIES) + 1, 16, 8)
            mod = by_code.sum(axis=(1, 2))
            lvl = by_code.sum(axis=(0, 2))
            pb = by_code.sum(axis=(0, 1))
            dc = np.bincount(col("domain"), minlength=len(codes))
        domains = {codes[i]: int(c) for i, c in enumerate(dc) if c}
        return {
            "modality": [(MODALITIES[i], int(c)) for i, c in enumerate(mod[: len(MODALITIES)]) if c],
            "level": [(str(i), int(c)) for i, c in enumerate(lvl[:9]) if c],
            "price": [(str(i), int(c)) for i, c in enumerate(pb[: len(PRICE_BANDS_CENTS) + 1]) if c],
            "domain": sorted(((k, v) for k, v in domains.items() if v and k), key=lambda kv: (-kv[1], kv[0]))[:12],
        }
