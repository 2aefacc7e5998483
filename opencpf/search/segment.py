"""One immutable set of documents: per-field posting lists, NumPy columns and display strings."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Sequence

import numpy as np

from opencpf.search import analysis
from opencpf.search.documents import NO_DATE, Doc

FIELDS = ("cert", "title", "labels", "desc")
# Rank of each field (0 is best): certification title/code and training title are both the offer's title.
FIELD_RANK = {"cert": 0, "title": 0, "labels": 1, "desc": 2}
NO_MATCH = 255
PRICE_BANDS_CENTS = (50_000, 100_000, 200_000, 500_000)


class StringTable:
    """Many strings in one UTF-8 blob: no Python object per string, so forked workers keep sharing the pages."""

    def __init__(self, values: Iterable[str]) -> None:
        index: dict[str, int] = {}
        refs = array("i")
        for v in values:
            refs.append(index.setdefault(v, len(index)))
        encoded = [k.encode() for k in index]
        self.offsets = np.concatenate(([0], np.cumsum([len(e) for e in encoded], dtype=np.int64))).astype(np.int64)
        self.blob = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy() if encoded else np.zeros(0, np.uint8)
        self.refs = np.frombuffer(refs, dtype=np.int32).copy() if len(refs) else np.zeros(0, np.int32)

    def get(self, i: int) -> str:
        k = self.refs.item(i)
        view = self.__dict__.get("_view")
        if view is None:  # a memoryview of the shared blob: slicing it copies nothing
            view = self._view = memoryview(self.blob)  # type: ignore[arg-type]  # ndarray has the buffer protocol
        return str(view[self.offsets.item(k) : self.offsets.item(k + 1)], "utf-8")

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_view"}


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
        self.lon = np.fromiter(
            (np.nan if d.longitude is None else d.longitude for d in docs), dtype=np.float32, count=n
        )
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
        sess_doc = np.repeat(np.arange(n, dtype=np.int32), counts)
        self.sess_start = np.fromiter(
            (s for d in docs for s in d.session_starts), dtype=np.int32, count=int(counts.sum())
        )
        # Sessions by start date: a date range is one slice (binary search), not a pass over every session.
        by_start = np.argsort(self.sess_start, kind="stable")
        self.sess_sorted_start = self.sess_start[by_start]
        self.sess_sorted_doc = sess_doc[by_start]
        del by_start, sess_doc
        self.sess_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.multi = np.zeros(n, dtype=bool)  # the group has other members (set by the index)
        self.all_alive = True
        price_band = np.searchsorted(np.array(PRICE_BANDS_CENTS), self.price, side="right")
        self.facet_code = (
            (self.modality.astype(np.uint16) << 7)
            | (np.minimum(self.level, 15).astype(np.uint16) << 3)
            | price_band.astype(np.uint16)
        )
        # The facet code and the domain in one 16-bit value (one gather and one count per query), while the
        # domains fit in 7 bits (Formacode domains are two digits); None otherwise.
        self.facet_all: np.ndarray | None = None
        if n and int(self.domain.max()) < 128 and int(self.domain.min()) >= 0:
            self.facet_all = ((self.facet_code.astype(np.uint32) << 7) | self.domain.astype(np.uint32)).astype(
                np.uint16
            )
        # What a result shows, kept here so that a search reads no database row.
        self.s_title = StringTable(d.title_text for d in docs)
        self.s_cert_code = StringTable(d.cert_code for d in docs)
        self.s_cert_title = StringTable(d.cert_title for d in docs)
        self.s_provider = StringTable(d.provider_name for d in docs)
        self.s_city = StringTable(d.city for d in docs)
        self.s_postcode = StringTable(d.postcode for d in docs)

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

    def docs_starting(self, lo: int, hi: int) -> np.ndarray:
        """Documents (with repeats) having a session that starts between day numbers lo and hi, inclusive."""
        i0 = int(np.searchsorted(self.sess_sorted_start, lo, side="left"))
        i1 = int(np.searchsorted(self.sess_sorted_start, hi, side="right"))
        return self.sess_sorted_doc[i0:i1]

    def sessions_between(
        self, docs: np.ndarray, lo: int, hi: int, early_hi: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each of these documents: has a session starting in [lo, hi]; has one in [lo, early_hi]."""
        first = self.sess_offsets[docs]
        counts = self.sess_offsets[docs + 1] - first
        owner = np.repeat(np.arange(len(docs)), counts)
        ends = np.cumsum(counts)
        idx = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts - first, counts)
        start = self.sess_start[idx]
        ok = (start >= lo) & (start <= hi)
        in_range = np.zeros(len(docs), dtype=bool)
        in_range[owner[ok]] = True
        soon = np.zeros(len(docs), dtype=bool)
        if early_hi is not None:
            soon[owner[ok & (start <= early_hi)]] = True
        return in_range, soon

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

    def matched_fields_many(self, docs: np.ndarray, tids: list[int]) -> list[list[str]]:
        """For each document, the fields where one of these terms occurs."""
        found = np.zeros((len(FIELDS), len(docs)), dtype=bool)
        for fi, f in enumerate(FIELDS):
            for t in tids:
                p = self.posting(f, t)
                if len(p):
                    k = np.clip(np.searchsorted(p, docs), 0, len(p) - 1)
                    found[fi] |= p[k] == docs
        return [[f for fi, f in enumerate(FIELDS) if found[fi, j]] for j in range(len(docs))]

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
