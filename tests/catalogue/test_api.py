"""Catalogue API for providers' software: API keys, scoping, offers and sessions, refusals with reasons."""

from __future__ import annotations

import pytest

from opencpf.catalogue.models import Offer, OfferChange, Session
from opencpf.identity.tokens import provider_api_key_create, provider_api_key_revoke
from tests.catalogue.conftest import (
    make_certification,
    make_offer,
    make_provider,
    offer_fields,
    permit,
    training_fields,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalogue"


@pytest.fixture
def key(provider, staff):  # type: ignore[no-untyped-def]
    _key, raw = provider_api_key_create(provider=provider, name="ERP", by=staff)
    return raw


def h(raw: str) -> dict[str, str]:
    return {"HTTP_X_API_KEY": raw}


def create_payload(**overrides):  # type: ignore[no-untyped-def]
    payload = {
        "certification_code": "RNCP35185",
        "training_reference": "F1",
        "offer_reference": "A1",
        "training": training_fields(),
        "offer": {k: v for k, v in offer_fields().items() if k not in ("latitude", "longitude")},
        "publish": True,
    }
    payload.update(overrides)
    return payload


def test_key_required_and_revocable(client, provider, staff, key):
    assert client.get(f"{BASE}/offers").status_code == 401
    assert client.get(f"{BASE}/offers", **h("ocpf_nope")).status_code == 401
    assert client.get(f"{BASE}/offers", **h(key)).status_code == 200
    provider_api_key_revoke(key=provider.api_keys.get(), by=staff)
    r = client.get(f"{BASE}/offers", **h(key))
    assert r.status_code == 401 and r.json()["code"] == "authentication_required"


def test_create_publish_and_history(client, provider, cert, permitted, staff, key, frozen_clock):
    r = client.post(f"{BASE}/offers", create_payload(), content_type="application/json", **h(key))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["is_published"] and body["certification_code"] == "RNCP35185" and body["publication_problems"] == []
    offer = Offer.objects.get(pk=body["id"])
    change = OfferChange.objects.filter(offer=offer, action="created").get()
    assert change.source == "api" and change.actor == staff  # the key's creator is the actor
    r = client.patch(
        f"{BASE}/offers/{offer.pk}",
        {"offer": {"hours_total": 35, "hours_centre": 35}},
        content_type="application/json",
        **h(key),
    )
    assert r.status_code == 200 and r.json()["hours_total"] == 35
    changes = client.get(f"{BASE}/offers/{offer.pk}/changes", **h(key)).json()
    assert changes[0]["action"] == "updated" and changes[0]["changes"]["hours_total"] == [40, 35]


def test_refused_publication_lists_the_reasons(client, provider, staff, key, frozen_clock):
    make_certification("RNCP35185")  # no permission for this provider
    r = client.post(f"{BASE}/offers", create_payload(publish=False), content_type="application/json", **h(key))
    offer_id = r.json()["id"]
    assert r.json()["publication_problems"] == ["l'organisme n'a pas d'habilitation du certificateur pour RNCP35185"]
    r = client.post(f"{BASE}/offers/{offer_id}/publish", **h(key))
    assert r.status_code == 409
    assert r.json()["code"] == "offer_not_publishable"
    assert r.json()["problems"] == ["l'organisme n'a pas d'habilitation du certificateur pour RNCP35185"]
    assert not Offer.objects.get(pk=offer_id).is_published


def test_validation_errors(client, provider, cert, key):
    r = client.post(
        f"{BASE}/offers", create_payload(certification_code="RNCP000"), content_type="application/json", **h(key)
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_certification"
    bad = create_payload()
    bad["offer"]["price_incl_tax_cents"] = -5
    r = client.post(f"{BASE}/offers", bad, content_type="application/json", **h(key))
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert not Offer.objects.exists()


def test_scoped_to_the_provider(client, provider, cert, permitted, key, frozen_clock):
    other = make_provider("35600000000048", name="Autre OF")
    permit(other, cert)
    foreign = make_offer(other, cert)
    mine = make_offer(provider, cert, ref="A9", training_ref="F9")
    listed = client.get(f"{BASE}/offers", **h(key)).json()
    assert [o["id"] for o in listed["items"]] == [mine.pk]
    for method, url in (
        ("get", f"/offers/{foreign.pk}"),
        ("post", f"/offers/{foreign.pk}/unpublish"),
        ("post", f"/offers/{foreign.pk}/duplicate"),
        ("get", f"/offers/{foreign.pk}/sessions"),
    ):
        r = getattr(client, method)(BASE + url, **h(key))
        assert r.status_code == 404, url
    foreign.refresh_from_db()
    assert foreign.is_published and Offer.objects.count() == 2


def test_list_filters(client, provider, cert, permitted, key, frozen_clock):
    make_offer(provider, cert, ref="A1")
    make_offer(
        provider, cert, ref="A2", publish=False, modality="distance", address="", postcode="", city="", insee_code=""
    )

    def ids(query: str) -> list[str]:
        return [o["reference"] for o in client.get(f"{BASE}/offers?{query}", **h(key)).json()["items"]]

    assert sorted(ids("")) == ["A1", "A2"]
    assert ids("published=true") == ["A1"]
    assert ids("modality=distance") == ["A2"]
    assert sorted(ids("certification=rncp35185")) == ["A1", "A2"]
    assert ids("city=lyon") == ["A1"]


def test_sessions_unpublish_duplicate(client, provider, cert, permitted, key, frozen_clock):
    offer = make_offer(provider, cert)
    r = client.post(
        f"{BASE}/offers/{offer.pk}/sessions",
        {"reference": "S1", "start_date": "2026-04-01", "end_date": "2026-04-10", "capacity": 10},
        content_type="application/json",
        **h(key),
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    r = client.patch(f"{BASE}/sessions/{sid}", {"is_recruiting": False}, content_type="application/json", **h(key))
    assert r.json()["is_recruiting"] is False
    r = client.post(
        f"{BASE}/sessions/{sid}/duplicate", {"start_date": "2026-09-01"}, content_type="application/json", **h(key)
    )
    assert r.status_code == 201 and r.json()["end_date"] == "2026-09-10"
    r = client.post(f"{BASE}/offers/{offer.pk}/duplicate", **h(key))
    assert r.status_code == 201 and r.json()["reference"] == "A1-copie" and r.json()["is_published"] is False
    r = client.post(f"{BASE}/offers/{offer.pk}/unpublish", **h(key))
    assert r.json()["is_published"] is False
    assert Session.objects.filter(offer=offer).count() == 2
    r = client.patch(f"{BASE}/sessions/{sid}", {"end_date": "2026-03-01"}, content_type="application/json", **h(key))
    assert r.status_code == 422 and r.json()["code"] == "invalid_offer"


def test_lheo_upload_through_the_api(client, provider, cert, permitted, key, frozen_clock):
    from tests.catalogue.test_lheo import BROKEN_23, _formation

    r = client.post(f"{BASE}/lheo", BROKEN_23 % _formation("F1"), content_type="application/xml", **h(key))
    assert r.status_code == 200 and r.json()["imported"] == 1 and r.json()["published"] == 1
    other = (BROKEN_23 % _formation("F2")).replace(b"73282932000074", b"35600000000048")
    r = client.post(f"{BASE}/lheo", other, content_type="application/xml", **h(key))
    assert r.status_code == 422 and "différent de celui de votre organisme" in r.json()["rejected"]["F2"][0]


def test_public_certification_search(client, db):
    make_certification("RNCP35185", title="Anglais professionnel")
    make_certification("RNCP1", title="Soudeur", active=False)
    r = client.get(f"{BASE}/certifications?q=anglais")
    assert [c["code"] for c in r.json()["items"]] == ["RNCP35185"]


def test_patch_is_typed_and_partial(client, provider, cert, permitted, key, frozen_clock):
    offer = make_offer(provider, cert)
    for body in (
        {"training": {"entry_level": "x"}},
        {"offer": {"modality": "teleport"}},
        {"offer": {"hours_total": -1}},
    ):
        r = client.patch(f"{BASE}/offers/{offer.pk}", body, content_type="application/json", **h(key))
        assert r.status_code == 422 and r.json()["code"] == "validation_error", body
    assert not OfferChange.objects.filter(offer=offer, action="updated").exists()
    r = client.patch(
        f"{BASE}/offers/{offer.pk}",
        {"training": {"exit_level": 6}, "offer": {"modality": "mixed"}},
        content_type="application/json",
        **h(key),
    )
    assert r.status_code == 200 and r.json()["modality"] == "mixed"
    change = OfferChange.objects.get(offer=offer, action="updated")
    assert change.changes == {"formation.exit_level": [5, 6], "modality": ["in_person", "mixed"]}
