"""Properties of the ranking over random in-memory catalogues (no database needed)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from opencpf.search.documents import Doc
from opencpf.search.fairness import round_keys
from opencpf.search.index import SearchIndex, SearchQuery

WORDS = ["comptabilite", "gestion", "paie", "soudage", "anglais", "excel", "vente", "cuisine"]
CITIES = [(45.76, 4.84), (45.77, 4.89), (45.52, 4.87), (48.86, 2.35)]
SECRET = "test-secret"


def make_doc(i: int, draw_words: list[str], where: str, city: int, price: int, provider: int, cert: int) -> Doc:
    text = " ".join(draw_words)
    lat, lon = CITIES[city]
    return Doc(
        offer_id=i,
        provider_id=provider,
        certification_id=cert,
        modality=0,
        place=f"p{city}",
        latitude=lat,
        longitude=lon,
        hours=100,
        price_cents=price,
        disability_access=True,
        level=4,
        cert_text=f"RNCP{cert} {text if where == 'cert' else 'certificat'}",
        title_text=text if where == "title" else "parcours",
        labels_text=text if where == "labels" else "",
        description_text=f"objectifs {text}" if where == "desc" else "objectifs",
        domain="",
        rating=None,
        session_starts=[20500],
    )


docs_strategy = st.lists(
    st.tuples(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
        st.sampled_from(["cert", "title", "labels", "desc"]),
        st.integers(0, 3),
        st.sampled_from([100_000, 150_000, 200_000]),
        st.integers(1, 4),
        st.integers(1, 3),
    ),
    min_size=1,
    max_size=40,
)


def build(raw: list) -> tuple[SearchIndex, list[Doc]]:  # type: ignore[type-arg]
    docs = [make_doc(i + 1, *r) for i, r in enumerate(raw)]
    return SearchIndex(docs, built_day=20000), docs


def full_order(index: SearchIndex, q: SearchQuery, ip: str) -> list[tuple[int, int]]:
    keys = round_keys(ip, q.text, secret=SECRET)
    first = index.search(dataclasses.replace(q, page=1, page_size=1000), keys)
    return [(h.group, h.bucket) for h in first.hits]


@settings(max_examples=60, deadline=None)
@given(docs_strategy, st.sampled_from(WORDS), st.booleans())
def test_the_order_only_permutes_within_levels(raw, word, with_place) -> None:  # type: ignore[no-untyped-def]
    index, _ = build(raw)
    q = SearchQuery(
        text=word, latitude=45.76 if with_place else None, longitude=4.84 if with_place else None, radius_km=60
    )
    orders = [full_order(index, q, f"10.0.0.{n}") for n in range(4)]
    for order in orders:
        buckets = [b for _, b in order]
        assert buckets == sorted(buckets), "levels come in order"
    # Every IP sees the same results with the same levels; only the order inside a level differs.
    per_ip = [{g: b for g, b in order} for order in orders]
    assert all(p == per_ip[0] for p in per_ip)


@settings(max_examples=40, deadline=None)
@given(docs_strategy, st.sampled_from(WORDS), st.integers(1, 7))
def test_pages_continue_each_other_exactly(raw, word, size) -> None:  # type: ignore[no-untyped-def]
    index, _ = build(raw)
    keys = round_keys("192.0.2.1", word, secret=SECRET)
    whole = [h.group for h in index.search(SearchQuery(text=word, page_size=1000), keys).hits]
    paged: list[int] = []
    page = 1
    while True:
        hits = index.search(SearchQuery(text=word, page=page, page_size=size), keys).hits
        if not hits:
            break
        paged.extend(h.group for h in hits)
        page += 1
    assert paged == whole
    assert len(set(whole)) == len(whole)


@settings(max_examples=60, deadline=None)
@given(
    docs_strategy,
    st.sampled_from(WORDS),
    st.data(),
)
def test_what_is_not_a_criterion_never_moves_an_offer_across_levels(raw, word, data) -> None:  # type: ignore[no-untyped-def]
    """Metamorphic: price (no price criterion), other offers, repeated words, shorter texts, provider.

    Each offer gets its own provider here so that its level is its own (grouping is tested elsewhere)."""
    docs = [dataclasses.replace(make_doc(i + 1, *r), provider_id=i + 1) for i, r in enumerate(raw)]
    index = SearchIndex(docs, built_day=20000)
    target = data.draw(st.integers(0, len(docs) - 1))
    q = SearchQuery(text=word, page_size=1000)
    keys = round_keys("198.51.100.7", word, secret=SECRET)

    def level_of(idx: SearchIndex, offer_id: int) -> int | None:
        return next((h.bucket for h in idx.search(q, keys).hits if offer_id in idx.members(h.group)), None)

    before = level_of(index, docs[target].offer_id)
    d = docs[target]
    short_desc = " ".join(w for w in d.description_text.split() if w == word) or "objectifs"
    variants = [
        dataclasses.replace(d, price_cents=d.price_cents + 99_900),
        dataclasses.replace(d, description_text=" ".join([d.description_text] * 5)),
        dataclasses.replace(d, description_text=short_desc),
        dataclasses.replace(d, title_text=f"{d.title_text} {d.title_text}"),
        dataclasses.replace(d, provider_id=d.provider_id + 100_000),
    ]
    for v in variants:
        others = [x for x in docs if x.offer_id != d.offer_id]
        for extra in (0, 5):
            pool = others + [v] + [dataclasses.replace(x, offer_id=1000 + k) for k, x in enumerate(others[:extra])]
            idx2 = SearchIndex(sorted(pool, key=lambda x: x.offer_id), built_day=20000)
            assert level_of(idx2, d.offer_id) == before


def test_distinct_groups_get_distinct_tie_keys() -> None:
    import numpy as np

    from opencpf.search.fairness import tie_keys

    anchors = np.arange(1, 200_001, dtype=np.int64)
    keys = tie_keys(anchors, round_keys("203.0.113.9", "vente", secret=SECRET))
    assert len(np.unique(keys)) == len(anchors)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
            st.sampled_from(["cert", "title", "labels", "desc"]),
            st.integers(0, 3),
            st.sampled_from([40_000, 100_000, 150_000, 600_000]),
            st.integers(1, 4),
            st.integers(1, 3),
            st.integers(0, 2),
            st.lists(st.integers(20000, 20200), max_size=4),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["", *WORDS]),
    st.sampled_from([None, (20010, 20100), (20050, 20060), (None, 20020)]),
    st.sampled_from([None, 100_000]),
    st.booleans(),
    st.sampled_from([(), (0,), (1, 2)]),
)
def test_filters_give_the_same_results_over_matches_or_over_every_document(
    raw, text, dates, max_price, place, modalities
) -> None:  # type: ignore[no-untyped-def]
    """Filters run as masks over every document (many matches) or over the matches only (few): same answer."""
    import opencpf.search.index as index_module

    docs = []
    for i, (words, where, city, price, provider, cert, modality, starts) in enumerate(raw):
        d = make_doc(i + 1, words, where, city, price, provider, cert)
        d = dataclasses.replace(d, modality=modality, session_starts=sorted(starts), domain=f"{10 + cert}", level=cert)
        docs.append(d)
    index = SearchIndex(docs, built_day=20000)
    q = SearchQuery(text=text, max_price_cents=max_price, modalities=modalities, page_size=1000)
    if dates:
        q.start_from, q.start_to = dates
    if place:
        q.latitude, q.longitude = CITIES[0]
    keys = round_keys("192.0.2.1", text, secret=SECRET)
    outcomes = []
    for fraction in (0.0, 2.0):  # always masks, always over the matches
        saved = index_module.SPARSE_FRACTION
        index_module.SPARSE_FRACTION = fraction
        try:
            index.clear_cache()
            page = index.search(q, keys)
        finally:
            index_module.SPARSE_FRACTION = saved
        outcomes.append(([(h.group, h.bucket, h.offer_id, h.date_band) for h in page.hits], page.facets, page.total))
    assert outcomes[0] == outcomes[1]
    entry = index._prepared(q)  # facets from the packed 16-bit code and from the two columns agree
    total = len(entry["groups"])
    facets = [index._facets(lambda name: index._attr(entry, name), total, packed=p) for p in (True, False)]
    assert facets[0] == facets[1]


def test_filters_never_change_the_index_columns() -> None:
    """A filter without text starts from a document column itself: narrowing it must not write into the index."""
    docs = [
        dataclasses.replace(
            make_doc(i + 1, ["vente"], "title", i % 4, 100_000, i, 1), disability_access=bool(i % 2), modality=i % 3
        )
        for i in range(12)
    ]
    index = SearchIndex(docs, built_day=20000)
    keys = round_keys("192.0.2.9", "", secret=SECRET)
    before = index.base.disability.copy()
    narrowed = index.search(SearchQuery(disability_access=True, modalities=(0,), page_size=100), keys)
    assert narrowed.total == sum(1 for d in docs if d.disability_access and d.modality == 0)
    # disability is the first filter here, then a date range that no session meets
    assert index.search(SearchQuery(disability_access=True, start_from=20600, start_to=20700), keys).total == 0
    assert (index.base.disability == before).all()
    index.clear_cache()
    assert index.search(SearchQuery(disability_access=True, page_size=100), keys).total == 6
    assert index.search(SearchQuery(page_size=100), keys).total == 12
