"""Regressions found by the hardening tests (fuzzing, faults), kept here with the scenario that found them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db import connection

from opencpf.catalogue.models import Offer, Provider, Session
from opencpf.identity.models import ProviderMembership
from opencpf.identity.tokens import provider_api_key_create
from opencpf.search import runtime
from opencpf.search.selectors import SearchParams, search_offers
from opencpf.web import demo

pytestmark = pytest.mark.django_db


def test_an_offer_moving_to_a_new_group_does_not_hang_the_index_refresh() -> None:
    """Found by the API fuzz on PostgreSQL: an offer whose price changes leaves its group but keeps its anchor
    there; choosing a new anchor looped forever (and grew a set without end) in `SearchIndex._group_for`."""
    demo.load()
    runtime.warm()
    moved = list(Offer.objects.filter(is_published=True).order_by("pk")[:3])
    for offer in moved:
        offer.price_incl_tax_cents += 1_234
        offer.save(update_fields=["price_incl_tax_cents", "updated_at"])
    rt = runtime.current()
    rt.stale = True
    runtime.current()  # applies the three changed offers: returned at all is the regression
    rt = runtime.current()
    assert len(set(rt.index.anchor.tolist())) == len(rt.index.anchor), "two groups share an anchor"
    out = search_offers(SearchParams(text="", page_size=100), client_ip="127.0.0.1")
    assert out.total >= len(moved)


def test_search_levels_out_of_range_are_refused(client: Any) -> None:
    """Found by the API fuzz: a level outside 0-255 overflowed a uint8 array (500)."""
    response = client.get("/api/v1/search", {"level": -21031167})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_a_page_number_beyond_any_offset_is_refused(client: Any) -> None:
    """Found by the API fuzz: ?page=10**27 overflowed the SQL offset (500)."""
    provider = Provider.objects.create(name="OF", siret="73282932000074", nda="1", status="referenced")
    _, key = provider_api_key_create(provider=provider, name="ERP", by=None)
    response = client.get("/api/v1/catalogue/offers", {"page": 10**27}, HTTP_X_API_KEY=key)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/search?q=%00anglais", None),
        ("get", "/api/v1/dossiers/26%0012", None),
        ("post", "/api/v1/auth/token", '{"nir": "1\\u0000", "password": "x"}'),
    ],
)
def test_nul_characters_are_refused_before_any_work(client: Any, method: str, path: str, body: str | None) -> None:
    """Found by the API fuzz on PostgreSQL: a NUL character reached a query (500)."""
    response = client.get(path) if method == "get" else client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
    assert not AccessAttempt.objects.exists()  # not even a failed login recorded


def test_api_lockout_answers_problem_json(client: Any, holder: Any) -> None:
    """Found by the API fuzz: the lockout of /api/v1/auth/token answered an HTML page."""
    body = json.dumps({"nir": "185057800608491", "password": "mauvais"})
    for _ in range(10):
        response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "too_many_attempts"


def test_the_openapi_document_has_no_duplicate_status(client: Any) -> None:
    """Found by the browser test of /api/docs: a status Ninja documents (int key 422) was added again as "422",
    and the JSON had the key twice (Swagger UI refused it)."""
    raw = client.get("/api/v1/openapi.json").content.decode()

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys: {sorted(k for k in keys if keys.count(k) > 1)}"
        return dict(pairs)

    document = json.loads(raw, object_pairs_hook=no_duplicates)
    lheo = document["paths"]["/api/v1/catalogue/lheo"]["post"]["responses"]
    assert "422" in lheo and "401" in lheo


@pytest.mark.parametrize("value", ["0", "-1.1125369292536007e-308", "1772409600", "2026-03-02T00:00:00"])
def test_a_date_is_only_taken_as_aaaa_mm_jj(client: Any, value: str) -> None:
    """Found by the HTTP fuzz: `?on=-1.1e-308` (any number) was read as a Unix time, i.e. 1 January 1970, and
    answered 200 with no parameters in force; the document says `format: date`."""
    response = client.get("/api/v1/parameters", {"on": value})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["champ"] == "on"
    assert client.get("/api/v1/parameters", {"on": "2026-03-02"}).status_code == 200


def test_a_date_in_a_json_body_is_only_taken_as_aaaa_mm_jj(client: Any) -> None:
    """Same finding, in a body: `"start_date": 0` was 1 January 1970. Nothing is created."""
    demo.load()
    provider = Provider.objects.get(siret="73282932000074")
    _, key = provider_api_key_create(provider=provider, name="ERP", by=None)
    offer = Offer.objects.filter(training__provider=provider).order_by("pk").first()
    assert offer is not None
    before = offer.sessions.count()
    body = {"reference": "S1", "start_date": 0, "end_date": "2026-06-30"}
    response = client.post(
        f"/api/v1/catalogue/offers/{offer.pk}/sessions",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["champ"] == "start_date"
    assert offer.sessions.count() == before


def test_a_repeated_single_value_parameter_is_refused(client: Any) -> None:
    """Found by the HTTP fuzz: `?max_price_cents=abc&max_price_cents=100` kept the last value and dropped the
    invalid first one without a word (a proxy reading the first value would disagree). List parameters may
    still repeat."""
    response = client.get("/api/v1/search?max_price_cents=abc&max_price_cents=100")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert response.json()["errors"] == [
        {"champ": "max_price_cents", "message": "Ce paramètre ne peut être donné qu'une fois.", "type": "repeated"}
    ]
    assert client.get("/api/v1/search?modality=distance&modality=mixed&level=5&level=6").status_code == 200


@contextmanager
def at_most_queries(limit: int) -> Iterator[None]:
    """Fails (instead of hanging) a code path that loops on the database."""
    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        assert count <= limit, f"more than {limit} queries: a loop on the database"
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        yield


def test_duplicating_an_offer_with_a_64_character_reference_ends(client: Any) -> None:
    """Found by the stateful HTTP fuzz (offer -> duplicate -> duplicate ...): the copy's reference was
    `reference-copie-N` cut to 64 characters, the same taken reference for every N once the original filled
    the 64 characters, and `_free_reference` looped forever inside the transaction (the request hung, and on
    SQLite every other request found the tables locked)."""
    demo.load()
    provider = Provider.objects.get(siret="73282932000074")
    _, key = provider_api_key_create(provider=provider, name="ERP", by=None)
    offer = Offer.objects.filter(training__provider=provider).order_by("pk").first()
    assert offer is not None
    offer.reference = "R" * 64
    offer.save(update_fields=["reference"])
    references = []
    for _ in range(3):
        with at_most_queries(60):
            response = client.post(f"/api/v1/catalogue/offers/{offer.pk}/duplicate", HTTP_X_API_KEY=key)
        assert response.status_code == 201
        references.append(response.json()["reference"])
    assert references == ["R" * 58 + "-copie", "R" * 56 + "-copie-2", "R" * 56 + "-copie-3"]


def test_a_session_patch_with_null_dates_leaves_them_as_they_are(client: Any) -> None:
    """Found by the stateful HTTP fuzz (offer -> new session -> patch): `"start_date": null` reached the model
    and the date check compared a date with None (500). Null leaves a date as it is, as for offers; a null
    capacity is "no limit"; a negative one is refused and changes nothing."""
    demo.load()
    provider = Provider.objects.get(siret="73282932000074")
    member = ProviderMembership.objects.filter(provider=provider).order_by("pk")[0]
    _, key = provider_api_key_create(provider=provider, name="ERP", by=member.user)
    session = Session.objects.filter(offer__training__provider=provider).order_by("pk")[0]
    start, end = session.start_date, session.end_date

    def patch(body: dict[str, Any]) -> Any:
        return client.patch(
            f"/api/v1/catalogue/sessions/{session.pk}",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )

    response = patch({"start_date": None, "end_date": None, "is_recruiting": None, "capacity": None})
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.start_date, session.end_date, session.capacity) == (start, end, None)
    refused = patch({"capacity": -1})
    assert refused.status_code == 422 and refused.json()["errors"][0]["champ"] == "capacity"
    session.refresh_from_db()
    assert session.capacity is None
