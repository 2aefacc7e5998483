"""The in-memory index and the ranking: relevance levels, the fair order, filters, facets, grouping.

A `Segment` is an immutable set of documents: per-field posting lists (term -> sorted document numbers) and
NumPy columns. The `SearchIndex` holds a large base segment (built once, shared by forked workers) and a small
delta segment rebuilt from the offers changed since; a changed offer's base document is masked dead.

A result is a *group* (same provider, certification, place, price and modality): its level is the best level
of its matching offers; its tie key is the keyed permutation of its anchor (smallest offer id when created).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from opencpf.search import analysis
from opencpf.search.documents import MODALITIES, NO_DATE, Doc
from opencpf.search.fairness import tie_keys
from opencpf.search.geo import DEFAULT_RADIUS_KM, distance_band, haversine_km

FIELDS = ("cert", "title", "labels", "desc")
# Rank of each field (0 is best): certification title/code and training title are both the offer's title.
FIELD_RANK = {"cert": 0, "title": 0, "labels": 1, "desc": 2}
TEXT_LEVELS = {
    0: "tous les mots de la recherche figurent dans l'intitulé de la formation ou de la certification",
    1: "tous les mots figurent dans les intitulés ou dans les domaines Formacode et métiers ROME",
    2: "certains mots ne figurent que dans la description",
}
NO_MATCH = 255
DATE_FIT_DAYS = 30
PRICE_BANDS_CENTS = (50_000, 100_000, 200_000, 500_000)
SORTS = ("relevance", "price", "distance", "start", "rating")
MAX_ANCHOR = 2**32 - 1


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


def group_hash(doc: Doc) -> int:
    key = f"{doc.provider_id}|{doc.certification_id}|{doc.place}|{doc.price_cents}|{doc.modality}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1


class Segment:
    """Posting lists and columns for a fixed list of documents."""

    def __init__(
        self, docs: Sequence[Doc], gids: np.ndarray, surface_words: set[str], domain_index: dict[str, int]
    ) -> None:
        n = len(docs)
        self.n = n
        self.offer_id = np.fromiter((d.offer_id for d in docs), dtype=np.int64, count=n)
        self.gid = gids.astype(np.int32)
        self.alive = np.ones(n, dtype=bool)
        self.modality = np.fromiter((d.modality for d in docs), dtype=np.uint8, count=n)
        self.lat = np.fromiter((np.nan if d.latitude is None else d.latitude for d in docs), dtype=np.float32, count=n)
        self.lon = np.fromiter((np.nan if d.longitude is None else d.longitude for d in docs), dtype=np.float32, count=n)
        self.price = np.fromiter((d.price_cents for d in docs), dtype=np.int64, count=n)
        self.hours = np.fromiter((d.hours for d in docs), dtype=np.int32, count=n)
        self.level = np.fromiter((d.level for d in docs), dtype=np.uint8, count=n)
        self.disability = np.fromiter((d.disability_access for d in docs), dtype=bool, count=n)
        self.rating = np.fromiter((np.nan if d.rating is None else d.rating for d in docs), dtype=np.float32, count=n)
        for code in sorted({d.domain for d in docs}):
            domain_index.setdefault(code, len(domain_index))
        self.domain = np.fromiter((domain_index[d.domain] for d in docs), dtype=np.int16, count=n)
        self.next_start = np.fromiter(
            (d.session_starts[0] if d.session_starts else NO_DATE for d in docs), dtype=np.int32, count=n
        )
        counts = np.fromiter((len(d.session_starts) for d in docs), dtype=np.int64, count=n)
        self.sess_doc = np.repeat(np.arange(n, dtype=np.int32), counts)
        self.sess_start = np.fromiter((s for d in docs for s in d.session_starts), dtype=np.int32, count=int(counts.sum()))

        self.vocab: dict[str, int] = {}
        cache: dict[str, array] = {}
        tids = {f: array("i") for f in FIELDS}
        dnos = {f: array("i") for f in FIELDS}

        def analyse(text: str) -> array:
            got = cache.get(text)
            if got is None:
                got = array("i")
                seen: set[int] = set()
                for w in analysis.words(text):
                    surface_words.add(w)
                    s = analysis.stem(w)
                    t = self.vocab.setdefault(s, len(self.vocab))
                    if t not in seen:
                        seen.add(t)
                        got.append(t)
                if len(cache) < 400_000:
                    cache[text] = got
            return got

        for i, d in enumerate(docs):
            for f, text in (
                ("cert", d.cert_text),
                ("title", d.title_text),
                ("labels", d.labels_text),
                ("desc", d.description_text),
            ):
                if not text:
                    continue
                t_arr = analyse(text)
                tids[f].extend(t_arr)
                dnos[f].extend(array("i", [i]) * len(t_arr))
        cache.clear()
        v = len(self.vocab)
        self.offsets: dict[str, np.ndarray] = {}
        self.postings: dict[str, np.ndarray] = {}
        for f in FIELDS:
            t_np = np.frombuffer(tids[f], dtype=np.int32) if len(tids[f]) else np.zeros(0, np.int32)
            d_np = np.frombuffer(dnos[f], dtype=np.int32) if len(dnos[f]) else np.zeros(0, np.int32)
            order = np.argsort(t_np, kind="stable")
            self.postings[f] = d_np[order].copy()
            self.offsets[f] = np.concatenate(([0], np.cumsum(np.bincount(t_np, minlength=v)))).astype(np.int64)
            del order, t_np, d_np
        del tids, dnos

    def term_ids(self, stems: Iterable[str]) -> list[int]:
        return [self.vocab[s] for s in stems if s in self.vocab]

    def posting(self, f: str, tid: int) -> np.ndarray:
        off = self.offsets[f]
        return self.postings[f][off[tid] : off[tid + 1]]

    def text_level(self, term_tids: list[list[int]]) -> np.ndarray:
        """Per document: the worst over query words of the best field rank where the word occurs (NO_MATCH if a
        word is missing). Repeating a word in a field or shortening a text does not change it."""
        worst: np.ndarray | None = None
        for tids in term_tids:
            lvl = np.full(self.n, NO_MATCH, dtype=np.uint8)
            for f in ("desc", "labels", "cert", "title"):  # worst first: better ranks overwrite
                rank = FIELD_RANK[f]
                for t in tids:
                    lvl[self.posting(f, t)] = rank
            worst = lvl if worst is None else np.maximum(worst, lvl)
        assert worst is not None
        return worst

    def matched_fields(self, doc: int, tids: list[int]) -> list[str]:
        out = []
        for f in FIELDS:
            for t in tids:
                p = self.posting(f, t)
                k = int(np.searchsorted(p, doc))
                if k < len(p) and p[k] == doc:
                    out.append(f)
                    break
        return out


@dataclass
class _Candidates:
    seg: int
    docs: np.ndarray
    bucket: np.ndarray
    text_level: np.ndarray | None
    dist: np.ndarray | None
    date_band: np.ndarray | None


class SearchIndex:
    def __init__(self, docs: Sequence[Doc], *, built_day: int) -> None:
        self.built_day = built_day
        self.surface_words: set[str] = set()
        self.domain_index: dict[str, int] = {}
        hashes = np.fromiter((group_hash(d) for d in docs), dtype=np.int64, count=len(docs))
        uniq, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        self.group_hashes = uniq  # sorted: base groups are found by binary search
        offer_ids = np.fromiter((d.offer_id for d in docs), dtype=np.int64, count=len(docs))
        anchors = np.full(len(uniq), MAX_ANCHOR, dtype=np.int64)
        np.minimum.at(anchors, inverse, offer_ids)
        self.anchor = anchors
        self.extra_groups: dict[int, int] = {}  # hash -> gid for groups created after the base build
        self.used_anchors: set[int] = set()
        self.base = Segment(docs, inverse.astype(np.int32), self.surface_words, self.domain_index)
        order = np.argsort(self.base.gid, kind="stable")
        self.group_members = order.astype(np.int32)  # base doc numbers sorted by group
        self.group_offsets = np.concatenate(([0], np.cumsum(np.bincount(self.base.gid, minlength=len(uniq)))))
        self.delta_docs: dict[int, Doc] = {}
        self.delta: Segment | None = None
        self.delta_surface: set[str] = set()
        del first

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
            base_anchor_taken = bool(np.any(self.anchor == anchor))
            while base_anchor_taken or anchor in self.used_anchors:  # an offer that left a group keeps its anchor
                anchor = MAX_ANCHOR - len(self.used_anchors) - 1
                base_anchor_taken = bool(np.any(self.anchor == anchor))
            self.used_anchors.add(anchor)
            self.anchor = np.append(self.anchor, anchor)
            self.extra_groups[h] = gid
        return gid

    def apply(self, changed_offer_ids: Iterable[int], fresh_docs: Sequence[Doc]) -> None:
        """Make the index reflect the current state of these offers (`fresh_docs`: the searchable ones)."""
        ids = np.array(sorted(set(changed_offer_ids)), dtype=np.int64)
        if len(ids) == 0:
            return
        pos = np.searchsorted(self.base.offer_id, ids)
        pos = np.clip(pos, 0, max(self.base.n - 1, 0))
        if self.base.n:
            found = self.base.offer_id[pos] == ids
            self.base.alive[pos[found]] = False
        for oid in ids.tolist():
            self.delta_docs.pop(oid, None)
        for d in fresh_docs:
            self.delta_docs[d.offer_id] = d
        docs = [self.delta_docs[k] for k in sorted(self.delta_docs)]
        gids = np.array([self._group_for(d) for d in docs], dtype=np.int32)
        self.delta = Segment(docs, gids, self.delta_surface, self.domain_index) if docs else None

    def segments(self) -> list[Segment]:
        return [self.base] + ([self.delta] if self.delta is not None else [])

    def members(self, gid: int) -> list[int]:
        """Offer ids currently in a group."""
        out: list[int] = []
        if gid < len(self.group_offsets) - 1:
            docs = self.group_members[self.group_offsets[gid] : self.group_offsets[gid + 1]]
            out.extend(int(x) for x in self.base.offer_id[docs[self.base.alive[docs]]])
        if self.delta is not None:
            out.extend(int(x) for x in self.delta.offer_id[self.delta.gid == gid])
        return sorted(out)

    # ----- query -----
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

    def _match(self, si: int, seg: Segment, q: SearchQuery, terms: list[tuple[str, list[str]]]) -> _Candidates:
        text_level = None
        if terms:
            level_all = seg.text_level([seg.term_ids(stems) for _, stems in terms])
            docs = np.flatnonzero(level_all != NO_MATCH)
            text_level = level_all[docs]
        else:
            docs = np.arange(seg.n)
        if not seg.alive.all():
            keep = seg.alive[docs]
            docs = docs[keep]
            text_level = text_level[keep] if text_level is not None else None

        def narrow(mask: np.ndarray) -> None:
            nonlocal docs, text_level
            docs = docs[mask]
            if text_level is not None:
                text_level = text_level[mask]

        if q.distance_only:
            narrow(seg.modality[docs] == MODALITIES.index("distance"))
        if q.modalities:
            narrow(np.isin(seg.modality[docs], np.array(q.modalities, dtype=np.uint8)))
        if q.max_price_cents is not None:
            narrow(seg.price[docs] <= q.max_price_cents)
        if q.min_hours is not None:
            narrow(seg.hours[docs] >= q.min_hours)
        if q.max_hours is not None:
            narrow(seg.hours[docs] <= q.max_hours)
        if q.levels:
            narrow(np.isin(seg.level[docs], np.array(q.levels, dtype=np.uint8)))
        if q.disability_access:
            narrow(seg.disability[docs])
        if q.min_rating is not None:
            narrow(seg.rating[docs] >= q.min_rating)  # unrated offers (NaN) never pass a minimum
        date_band = None
        if q.start_from is not None or q.start_to is not None:
            lo = q.start_from if q.start_from is not None else 0
            hi = q.start_to if q.start_to is not None else NO_DATE - 1
            ok = (seg.sess_start >= lo) & (seg.sess_start <= hi)
            has = np.zeros(seg.n, dtype=bool)
            has[seg.sess_doc[ok]] = True
            narrow(has[docs])
            if hi - lo > DATE_FIT_DAYS:
                early = np.zeros(seg.n, dtype=bool)
                early[seg.sess_doc[ok & (seg.sess_start <= lo + DATE_FIT_DAYS)]] = True
                date_band = (~early[docs]).astype(np.uint8)
            else:
                date_band = np.zeros(len(docs), dtype=np.uint8)
        dist = None
        if q.latitude is not None and q.longitude is not None and not q.distance_only:
            dist = haversine_km(q.latitude, q.longitude, seg.lat[docs], seg.lon[docs])
            inside = dist <= q.radius_km  # NaN (distance learning) is never inside
            narrow(inside)
            dist = dist[inside]
            if date_band is not None:
                date_band = date_band[inside]
        bucket = np.zeros(len(docs), dtype=np.uint8)
        if text_level is not None:
            bucket += text_level * np.uint8(16)
        if dist is not None:
            bucket += distance_band(dist) * np.uint8(4)
        if date_band is not None:
            bucket += date_band
        return _Candidates(si, docs, bucket, text_level, dist, date_band)

    def search(self, q: SearchQuery, keys: tuple[int, int, int]) -> ResultPage:
        terms = self.resolve_terms(q.text)
        segs = self.segments()
        parts = [self._match(i, s, q, terms) for i, s in enumerate(segs)]
        seg_no = np.concatenate([np.full(len(p.docs), p.seg, dtype=np.int8) for p in parts])
        docs = np.concatenate([p.docs for p in parts])
        bucket = np.concatenate([p.bucket for p in parts])
        gid = np.concatenate([s.gid[p.docs] for s, p in zip(segs, parts, strict=True)])

        # One result per group: its best-levelled offer (written last wins; ties keep the lowest position).
        order = np.argsort(bucket, kind="stable")[::-1]
        best = np.full(self.n_groups, -1, dtype=np.int64)
        best[gid[order]] = order
        groups = np.flatnonzero(best >= 0)
        pos = best[groups]
        total = len(groups)

        def col(name: str) -> np.ndarray:
            return np.concatenate([getattr(s, name)[p.docs] for s, p in zip(segs, parts, strict=True)])[pos]

        g_bucket = bucket[pos].astype(np.uint64)
        ties = tie_keys(self.anchor[groups], keys).astype(np.uint64)
        if q.sort == "price":
            value = np.minimum(col("price"), 2**31 - 1).astype(np.uint64)
        elif q.sort == "start":
            value = col("next_start").astype(np.uint64)
        elif q.sort == "rating":
            r = col("rating")
            value = np.where(np.isnan(r), 255, 50 - np.round(np.nan_to_num(r) * 10)).astype(np.uint64)
        elif q.sort == "distance" and parts[0].dist is not None:
            dist_all = np.concatenate([p.dist for p in parts if p.dist is not None])[pos]
            value = np.round(dist_all * 100).astype(np.uint64)  # tens of metres
        else:
            value = g_bucket
        sort_key = (value << np.uint64(32)) | ties

        top_bucket_size = int((g_bucket == g_bucket.min()).sum()) if total else 0
        start = (q.page - 1) * q.page_size
        stop = min(start + q.page_size, total)
        hits: list[Hit] = []
        if start < total:
            if stop < total:
                sel = np.argpartition(sort_key, stop - 1)[:stop]
            else:
                sel = np.arange(total)
            sel = sel[np.argsort(sort_key[sel], kind="stable")][start:stop]
            dist_cat = np.concatenate([p.dist for p in parts]) if parts[0].dist is not None else None
            tl_cat = np.concatenate([p.text_level for p in parts]) if parts[0].text_level is not None else None
            db_cat = np.concatenate([p.date_band for p in parts]) if parts[0].date_band is not None else None
            for rank, k in enumerate(sel.tolist()):
                p_ = int(pos[k])
                seg = segs[int(seg_no[p_])]
                d_km = float(dist_cat[p_]) if dist_cat is not None else None
                hits.append(
                    Hit(
                        group=int(groups[k]),
                        offer_id=int(seg.offer_id[docs[p_]]),
                        position=start + rank + 1,
                        bucket=int(bucket[p_]),
                        text_level=int(tl_cat[p_]) if tl_cat is not None else None,
                        distance_km=d_km,
                        distance_band=int(distance_band(np.array([d_km]))[0]) if d_km is not None else None,
                        date_band=int(db_cat[p_]) if db_cat is not None else None,
                        tie_key=int(ties[k]),
                        sort_value=int(value[k]),
                        segment=int(seg_no[p_]),
                        doc=int(docs[p_]),
                    )
                )
        facets = self._facets(col, total)
        return ResultPage(total=total, hits=hits, facets=facets, top_bucket_size=top_bucket_size, terms=terms)

    def _facets(self, col, total: int) -> dict[str, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
        if total == 0:
            return {"modality": [], "level": [], "price": [], "domain": []}
        mod = np.bincount(col("modality"), minlength=len(MODALITIES))
        lvl = np.bincount(col("level"), minlength=9)
        price_band = np.searchsorted(np.array(PRICE_BANDS_CENTS), col("price"), side="right")
        pb = np.bincount(price_band, minlength=len(PRICE_BANDS_CENTS) + 1)
        codes = sorted(self.domain_index, key=self.domain_index.__getitem__)
        dc = np.bincount(col("domain"), minlength=len(codes))
        domains = {codes[i]: int(c) for i, c in enumerate(dc) if c}
        return {
            "modality": [(MODALITIES[i], int(c)) for i, c in enumerate(mod) if c],
            "level": [(str(i), int(c)) for i, c in enumerate(lvl) if c],
            "price": [(str(i), int(c)) for i, c in enumerate(pb) if c],
            "domain": sorted(((k, v) for k, v in domains.items() if v and k), key=lambda kv: (-kv[1], kv[0]))[:12],
        }
