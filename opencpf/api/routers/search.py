"""GET /api/v1/search: the neutral search (same engine and order as the search page)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from opencpf.api.types import IsoDate
from opencpf.search.selectors import SearchItem, SearchParams, autocomplete, holder_balance_cents, search_offers

router = Router()
ITEM_NAMES = tuple(f.name for f in dataclasses.fields(SearchItem))


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Texte libre : métier, formation, certification (RNCP/RS)")
    place: str = Field("", max_length=100, description="Commune ou code postal")
    radius_km: float = Field(30, ge=1, le=200, description="Rayon autour du lieu, en km")
    distance_only: bool = Field(False, description="Formations à distance uniquement")
    modality: list[str] = Field([], description="in_person, distance, mixed")
    start_from: IsoDate | None = Field(None, description="Une session commence à partir de cette date")
    start_to: IsoDate | None = Field(None, description="... et au plus tard à cette date")
    max_price_cents: int | None = Field(None, ge=0, description="Prix TTC maximal, en centimes")
    within_balance: bool = Field(False, description="Dans la limite de mes droits (titulaire connecté)")
    min_hours: int | None = Field(None, ge=0)
    max_hours: int | None = Field(None, ge=0)
    level: list[Annotated[int, Field(ge=1, le=8)]] = Field(
        [], description="Niveaux européens de la certification (3 à 8)"
    )
    min_rating: float | None = Field(None, ge=1, le=5, description="Note moyenne minimale")
    disability_access: bool = Field(False, description="Accessible aux personnes en situation de handicap")
    sort: str = Field("relevance", pattern="^(relevance|price|distance|start|rating)$")
    page: int = Field(1, ge=1, le=500)
    page_size: int = Field(20, ge=1, le=100)


class ExplanationOut(Schema):
    level: int
    criteria: list[str]
    order: str
    tie_rule: str


class ItemOut(Schema):
    position: int
    offer_id: int
    offer_ids: list[int]
    title: str
    certification_code: str
    certification_title: str
    level: int | None
    provider_name: str
    modality: str
    city: str
    postcode: str
    distance_km: float | None
    price_cents: int
    hours: int
    sessions_count: int
    next_starts: list[dt.date]
    explanation: ExplanationOut


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    top_level_size: int = Field(
        description="Nombre de résultats au meilleur niveau, présentés dans un ordre tiré au sort"
    )
    place: str | None
    notices: list[str]
    items: list[ItemOut]
    facets: dict[str, list[FacetOut]]


@router.get("/search", response=SearchOut, summary="Rechercher une formation", auth=None)
def search(request: HttpRequest, filters: Query[SearchIn]) -> HttpResponse:
    params = SearchParams(
        text=filters.q,
        place=filters.place,
        radius_km=filters.radius_km,
        distance_only=filters.distance_only,
        modalities=filters.modality,
        start_from=filters.start_from,
        start_to=filters.start_to,
        max_price_cents=filters.max_price_cents,
        min_hours=filters.min_hours,
        max_hours=filters.max_hours,
        levels=filters.level,
        min_rating=filters.min_rating,
        disability_access=filters.disability_access,
        balance_cents=holder_balance_cents(request.user) if filters.within_balance else None,
        sort=filters.sort,
        page=filters.page,
        page_size=filters.page_size,
    )
    out = search_offers(params, client_ip=request.META.get("REMOTE_ADDR", ""))
    body = {
        "count": out.total,
        "page": out.page,
        "pages": out.pages,
        "top_level_size": out.top_level_size,
        "place": out.place_label,
        "notices": out.notices,
        "items": [_item(i) for i in out.items],
        "facets": {k: [{"value": v, "label": lbl, "count": c} for v, lbl, c in rows] for k, rows in out.facets.items()},
    }
    # Built by the selector from typed dataclasses: skip re-validating 20 items on the hottest endpoint.
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


def _item(item: SearchItem) -> dict:
    """The JSON of one result: its fields (ItemOut's), dates in ISO 8601."""
    out = {name: getattr(item, name) for name in ITEM_NAMES}
    out["next_starts"] = [d.isoformat() for d in item.next_starts]
    return out


@router.get("/search/suggestions", response=list[str], summary="Suggestions de certifications et de métiers", auth=None)
def suggestions(request: HttpRequest, q: str = "") -> list[str]:
    return autocomplete(q[:100])
