"""The database connection lost while a write is in flight (PostgreSQL): the caller gets a clear 503
(problem+json for the API, a French page for people) and nothing of the half-done write remains."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from opencpf.catalogue.models import Offer, OfferChange, Training
from opencpf.identity.tokens import provider_api_key_create
from tests.catalogue.conftest import make_certification, make_provider, offer_fields, permit, training_fields

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def connection_cut_after_first_insert() -> Iterator[dict[str, int]]:
    """Terminate this connection's server process (as a database restart would) once it has inserted a row."""
    pid = connection.cursor().connection.info.backend_pid
    s = connection.settings_dict
    seen = {"inserts": 0}

    def cut(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("INSERT"):
            seen["inserts"] += 1
            if seen["inserts"] == 2:  # the first insert went through, inside the request's transaction
                with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=s["NAME"]) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut):
        yield seen
    connection.close()  # the next query reconnects


def test_api_write_cut_midway_answers_503_and_leaves_nothing(frozen_clock: Any) -> None:
    provider = make_provider()
    permit(provider, make_certification())
    _, key = provider_api_key_create(provider=provider, name="ERP", by=None)
    payload = {
        "certification_code": "RNCP35185",
        "training_reference": "F1",
        "offer_reference": "A1",
        "training": training_fields(),
        "offer": {k: v for k, v in offer_fields().items() if k not in ("latitude", "longitude")},
        "publish": False,
    }
    client = Client(raise_request_exception=False)
    with connection_cut_after_first_insert() as seen:
        response = client.post(
            "/api/v1/catalogue/offers",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_X_API_KEY=key,
            HTTP_IDEMPOTENCY_KEY="coupure-1",
        )
    assert seen["inserts"] >= 2, "the write was not in flight"
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "service_unavailable"
    assert (Training.objects.count(), Offer.objects.count(), OfferChange.objects.count()) == (0, 0, 0)

    # The database is back: the client retries with the same key and the offer is created once.
    retry = client.post(
        "/api/v1/catalogue/offers",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY="coupure-1",
    )
    assert retry.status_code == 201, retry.content[:500]
    assert Offer.objects.count() == 1


def test_page_write_cut_midway_shows_the_french_503(holder: Any) -> None:
    from opencpf.support.models import Ticket

    client = Client(raise_request_exception=False)
    client.force_login(holder.user)
    before = Ticket.objects.count()
    with connection_cut_after_first_insert() as seen:
        response = client.post(
            "/mon-compte/demandes/nouvelle/",
            {"subject": "Question", "category": "other", "body": "Bonjour, une question sur mes droits."},
        )
    assert seen["inserts"] >= 2, "the write was not in flight"
    assert response.status_code == 503
    text = response.content.decode().replace("&#x27;", "'")
    assert "Service momentanément indisponible" in text and "Rien n'a été enregistré" in text
    assert "Traceback" not in text
    assert Ticket.objects.count() == before
