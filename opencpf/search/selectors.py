"""Reads: the neutral search, with its results grouped, explained and filled in from the catalogue; autocomplete."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from opencpf.core import clock
from opencpf.core.money import format_eur
from opencpf.search import runtime
from opencpf.search.analysis import fold, normalise_query
from opencpf.search.documents import MODALITIES, day_from_number, day_number
from opencpf.search.explain import explain
from opencpf.search.fairness import round_keys
from opencpf.search.geo import DEFAULT_RADIUS_KM
from opencpf.search.index import PRICE_BANDS_CENTS, SORTS, SearchQuery

MODALITY_LABELS = {"in_person": "En présentiel", "distance": "À distance", "mixed": "Mixte"}
MAX_PAGE = 500


@dataclass
class SearchParams:
    """What a person asks for, as typed (the page and the API fill it)."""

    text: str = ""
    place: str = ""
    radius_km: float = DEFAULT_RADIUS_KM
    distance_only: bool = False
    modalities: list[str] = field(default_factory=list)
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    max_price_cents: int | None = None
    min_hours: int | None = None
    max_hours: int | None = None
    levels: list[int] = field(default_factory=list)
    min_rating: float | None = None
    disability_access: bool = False
    balance_cents: int | None = None  # "within my balance": the holder's balance, filled in by the caller
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass
class SearchItem:
    offer_id: int
    offer_ids: list[int]
    title: str
    certification_code: str
    certification_title: str
    level: int | None
    provider_name: str
    modality: str
    modality_label: str
    city: str
    postcode: str
    distance_km: float | None
    price_cents: int
    hours: int
    sessions_count: int
    next_starts: list[dt.date]
    position: int
    explanation: dict[str, Any]

    @property
    def price_display(self) -> str:
        return format_eur(self.price_cents)


@dataclass
class SearchOutcome:
    params: SearchParams
    total: int
    page: int
    pages: int
    items: list[SearchItem]
    facets: dict[str, list[tuple[str, str, int]]]
    top_level_size: int
    place_label: str | None = None
    notices: list[str] = field(default_factory=list)


def holder_balance_cents(user: Any) -> int | None:
    """The logged-in holder's spendable balance (rights, DIF, top-ups), for "within my balance"; None otherwise."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != "holder":
        return None
    from opencpf.rights.selectors import balances

    return balances(nir_hash=user.holder.nir_hash).total_cents


def _facet_labels(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, str, int]]]:
    bounds = (0, *PRICE_BANDS_CENTS)
    price_labels = [
        f"de {bounds[i] // 100} à {bounds[i + 1] // 100} €"
        if i < len(PRICE_BANDS_CENTS)
        else f"plus de {bounds[-1] // 100} €"
        for i in range(len(PRICE_BANDS_CENTS) + 1)
    ]
    price_labels[0] = f"moins de {PRICE_BANDS_CENTS[0] // 100} €"
    return {
        "modality": [(k, MODALITY_LABELS.get(k, k), c) for k, c in raw["modality"]],
        "level": [(k, "sans niveau" if k == "0" else f"niveau {k}", c) for k, c in raw["level"]],
        "price": [(k, price_labels[int(k)], c) for k, c in raw["price"]],
        "domain": [(k, f"Formacode {k}…", c) for k, c in raw["domain"]],
    }


def search_offers(params: SearchParams, *, client_ip: str) -> SearchOutcome:
    rt = runtime.current()
    notices: list[str] = []
    q = SearchQuery(
        text=params.text[:200],
        radius_km=max(1.0, min(float(params.radius_km or DEFAULT_RADIUS_KM), 200.0)),
        distance_only=params.distance_only,
        modalities=tuple(MODALITIES.index(m) for m in params.modalities if m in MODALITIES),
        start_from=day_number(params.start_from) if params.start_from else None,
        start_to=day_number(params.start_to) if params.start_to else None,
        max_price_cents=params.max_price_cents,
        min_hours=params.min_hours,
        max_hours=params.max_hours,
        levels=tuple(params.levels),
        min_rating=params.min_rating,
        disability_access=params.disability_access,
        sort=params.sort if params.sort in SORTS else "relevance",
        page=max(1, min(params.page, MAX_PAGE)),
        page_size=max(1, min(params.page_size, 100)),
    )
    if params.balance_cents is not None:
        q.max_price_cents = (
            params.balance_cents if q.max_price_cents is None else min(q.max_price_cents, params.balance_cents)
        )
    place_label = None
    if params.place and not params.distance_only:
        place = rt.gazetteer.resolve(params.place)
        if place is None:
            notices.append(f"Le lieu « {params.place} » est inconnu : la recherche porte sur toute la France.")
        else:
            q.latitude, q.longitude, place_label = place.latitude, place.longitude, place.label
    if q.sort == "distance" and q.latitude is None:
        notices.append("Le tri par distance demande un lieu : les résultats sont triés par pertinence.")
        q.sort = "relevance"
    keys = round_keys(client_ip, normalise_query(q.text))
    page = rt.index.search(q, keys)
    items = _hydrate(rt, page.hits, q, page.terms, place_label, page.top_bucket_size)
    return SearchOutcome(
        params=params,
        total=page.total,
        page=q.page,
        pages=max(1, math.ceil(page.total / q.page_size)),
        items=items,
        facets=_facet_labels(page.facets),
        top_level_size=page.top_bucket_size,
        place_label=place_label,
        notices=notices,
    )


def _hydrate(rt, hits, q, terms, place_label, top_size) -> list[SearchItem]:  # type: ignore[no-untyped-def]
    """Fill results from the index itself (no database read on the search path)."""
    today = day_number(clock.today())
    items = []
    matched = rt.index.explain_fields_many(hits, terms)
    for h, words_found in zip(hits, matched, strict=True):
        d = rt.index.display(h, from_day=today)
        raw_starts = d.pop("starts")
        items.append(
            SearchItem(
                **d,
                modality_label=MODALITY_LABELS.get(d["modality"], d["modality"]),
                distance_km=round(h.distance_km, 1) if h.distance_km is not None else None,
                sessions_count=len(raw_starts),
                next_starts=[day_from_number(x) for x in raw_starts[:3]],
                position=h.position,
                explanation=explain(
                    h,
                    sort=q.sort,
                    matched=words_found,
                    place_label=place_label,
                    same_level=top_size,
                ),
            )
        )
    return items


def autocomplete(prefix: str, *, limit: int = 8) -> list[str]:
    """Certification titles and ROME trades and job titles matching what is being typed (shortest first)."""
    words = fold(prefix).split()
    if not words or len(prefix.strip()) < 2:
        return []
    rt = runtime.current()
    *complete, last = words
    out: list[str] = []
    for _folded, shown, title_words in rt.suggestions:
        if all(w in title_words for w in complete) and any(tw.startswith(last) for tw in title_words):
            out.append(shown)
            if len(out) >= limit:
                break
    return out


def place_suggestions(prefix: str, *, limit: int = 8) -> list[str]:
    return runtime.current().gazetteer.suggest(prefix, limit)
