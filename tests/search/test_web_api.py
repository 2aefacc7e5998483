"""The search page, the ranking page and GET /api/v1/search, through HTTP."""

from __future__ import annotations

import pytest

from tests.search import factories as f

pytestmark = pytest.mark.django_db


def test_search_page_shows_grouped_explained_results(client) -> None:  # type: ignore[no-untyped-def]
    f.offer(title="Comptabilité et gestion", prov=f.provider(name="Institut Avenir Lyon"))
    f.offer(title="Soudage TIG")
    response = client.get("/recherche/", {"q": "comptabilite", "lieu": "Lyon"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comptabilité et gestion" in html
    assert "Institut Avenir Lyon" in html
    assert "Soudage" not in html
    assert "Pourquoi ce résultat est à cette place" in html
    assert "1 résultat" in html


def test_search_page_without_query_shows_the_form_only(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/recherche/")
    assert response.status_code == 200
    assert "Rechercher une formation" in response.content.decode()


def test_search_page_refuses_a_bad_price(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/recherche/", {"q": "x", "prix_max": "douze"})
    assert response.status_code == 200
    assert "montant" in response.content.decode()


def test_ranking_page_is_public_and_plain(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/recherche/classement/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "tiré au sort" in html and "adresse IP" in html


def test_suggestions(client) -> None:  # type: ignore[no-untyped-def]
    f.offer(cert=f.certification(title="Gestionnaire de paie"))
    assert client.get("/recherche/suggestions/", {"q": "gestio"}).json() == {"suggestions": ["Gestionnaire de paie"]}
    assert client.get("/api/v1/search/suggestions", {"q": "gestio"}).json() == ["Gestionnaire de paie"]


def test_api_search(client) -> None:  # type: ignore[no-untyped-def]
    o = f.offer(title="Anglais professionnel", price_cents=120_000)
    f.offer(title="Anglais débutant", modality="distance")
    response = client.get("/api/v1/search", {"q": "anglais", "modality": "in_person", "max_price_cents": 150000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["offer_id"] == o.id
    assert item["price_cents"] == 120_000
    assert item["explanation"]["criteria"]
    assert {"modality", "level", "price", "domain"} <= set(body["facets"])


def test_api_search_same_ip_same_order(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(12):
        f.offer(title="Vente")
    a = [i["offer_id"] for i in client.get("/api/v1/search", {"q": "vente"}).json()["items"]]
    b = [i["offer_id"] for i in client.get("/api/v1/search", {"q": "vente"}).json()["items"]]
    assert a == b


def test_api_search_rejects_invalid_parameters(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/search", {"q": "x", "sort": "sponsored"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation_error"


def test_search_page_with_dates_and_filters(client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    f.offer(title="Cuisine", sessions=[dt.date(2026, 4, 10)])
    response = client.get(
        "/recherche/",
        {"q": "cuisine", "debut_min": "2026-04-01", "debut_max": "2026-04-30", "modalite": "in_person", "tri": "price"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="date"' in html and "1 résultat" in html


def test_within_my_balance_uses_the_holders_ledger(client, holder) -> None:  # type: ignore[no-untyped-def]
    from tests.rights.helpers import credit_rights

    cheap = f.offer(title="Anglais professionnel", price_cents=90_000)
    f.offer(title="Anglais intensif", price_cents=300_000)
    credit_rights(holder.nir_hash, 100_000, "c1")
    client.force_login(holder.user)
    html = client.get("/recherche/", {"q": "anglais", "dans_mon_solde": "on"}).content.decode()
    assert "Anglais professionnel" in html and "Anglais intensif" not in html
    assert cheap.training.title in html


def test_a_commune_from_the_referential_locates_a_search(client) -> None:  # type: ignore[no-untyped-def]
    from opencpf.catalogue.models import Commune

    # A commune with no offer of its own: only the referential knows where it is (Villeurbanne, next to Lyon).
    Commune.objects.create(
        insee_code="69266",
        name="Villeurbanne",
        department_code="69",
        postcodes=["69100"],
        latitude=45.7719,
        longitude=4.8902,
    )
    f.offer(title="Comptabilité", place="lyon")
    f.offer(title="Comptabilité", place="marseille")
    html = client.get("/recherche/", {"q": "comptabilite", "lieu": "Villeurbanne"}).content.decode()
    assert "1 résultat" in html


def test_an_anonymous_api_search_reads_no_database_row(client, settings) -> None:  # type: ignore[no-untyped-def]
    """The index answers from memory; middleware and authentication stay lazy for an anonymous caller."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_FRESHNESS_SECONDS = 3600
    settings.SEARCH_SWEEP_SECONDS = 3600
    f.offer(title="Anglais professionnel")
    assert client.get("/api/v1/search", {"q": "anglais"}).json()["count"] == 1  # builds the index
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/search", {"q": "anglais", "place": "Lyon", "page": 1})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert [q["sql"] for q in ctx.captured_queries] == []


def test_search_page_shows_grouped_offers_as_one_result_with_their_sessions(client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    prov, cert = f.provider(name="Institut Cariste"), f.certification(title="Cariste")
    training = None
    for k in range(3):
        o = f.offer(title="Cariste CACES", prov=prov, cert=cert, training=training, sessions=[dt.date(2026, 4, 1 + k)])
        training = o.training
    html = client.get("/recherche/", {"q": "cariste"}).content.decode()
    assert "1 résultat" in html and "3 sessions" in html
    assert html.count("Institut Cariste") == 1
