"""Facet counts against a brute-force count over random catalogues; ROME and Formacode referentials in the
search and the autocomplete."""

from __future__ import annotations

import bisect
import random
from collections import Counter

import pytest

from opencpf.catalogue.models import Formacode, RomeJob, RomeTitle, Training
from opencpf.search.documents import place_key
from opencpf.search.index import PRICE_BANDS_CENTS
from opencpf.search.selectors import SearchParams, autocomplete, search_offers
from tests.search import factories as f

pytestmark = pytest.mark.django_db
IP = "198.51.100.7"
PRICES = [40_000, 50_000, 90_000, 150_000, 300_000, 600_000]
FORMACODES = ["31054", "31026", "42056", "22454", "15081"]


def _catalogue(seed: int) -> list:  # type: ignore[type-arg]
    rng = random.Random(seed)
    providers = [f.provider() for _ in range(3)]
    certs = [f.certification(title=f"Certificat {k}", level=rng.choice([None, 3, 4, 5, 6])) for k in range(4)]
    offers = []
    for _ in range(45):
        k = rng.randrange(len(certs))
        modality = rng.choice(["in_person", "in_person", "distance", "mixed"])
        o = f.offer(
            title=rng.choice(["Vente en magasin", "Paie et social", "Vente et paie"]),
            prov=rng.choice(providers),
            cert=certs[k],
            place=rng.choice(["lyon", "villeurbanne", "paris"]),
            modality=modality,
            price_cents=rng.choice(PRICES),
            published=rng.random() < 0.9,
            formacodes=[FORMACODES[k]],  # one domain per certification, so a group has one domain
        )
        offers.append(o)
    return offers


def _brute_force(offers: list, *, word: str, modality: str | None, max_price: int | None) -> dict:  # type: ignore[type-arg]
    groups = {}
    for o in offers:
        t = o.training
        if not o.is_published or (word and word not in t.title.lower()):
            continue
        if (modality and o.modality != modality) or (max_price is not None and o.price_incl_tax_cents > max_price):
            continue
        key = (t.provider_id, t.certification_id, place_key(o.modality, o.insee_code, o.postcode, o.city))
        key += (o.price_incl_tax_cents, o.modality)
        groups[key] = (
            o.modality,
            str(t.certification.level or 0),
            str(bisect.bisect_right(PRICE_BANDS_CENTS, o.price_incl_tax_cents)),
            t.formacode_codes[0][:2],
        )
    return {
        "total": len(groups),
        "modality": Counter(g[0] for g in groups.values()),
        "level": Counter(g[1] for g in groups.values()),
        "price": Counter(g[2] for g in groups.values()),
        "domain": Counter(g[3] for g in groups.values()),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_facet_counts_match_a_brute_force_count(seed: int) -> None:
    offers = _catalogue(seed)
    for word, modality, max_price in [
        ("", None, None),
        ("vente", None, None),
        ("paie", "in_person", None),
        ("", None, 150_000),
        ("vente", "distance", 300_000),
    ]:
        params = SearchParams(text=word, modalities=[modality] if modality else [], max_price_cents=max_price)
        out = search_offers(params, client_ip=IP)
        expected = _brute_force(offers, word=word, modality=modality, max_price=max_price)
        assert out.total == expected["total"], (word, modality, max_price)
        for facet in ("modality", "level", "price", "domain"):
            got = {value: count for value, _label, count in out.facets[facet]}
            assert got == dict(expected[facet]), (facet, word, modality, max_price)
        assert sum(c for _v, _l, c in out.facets["modality"]) == out.total


def test_facet_labels_are_plain_french() -> None:
    f.offer(title="Vente", price_cents=40_000, modality="distance", formacodes=["34554"])
    facets = search_offers(SearchParams(text="vente"), client_ip=IP).facets
    assert facets["modality"] == [("distance", "À distance", 1)]
    assert facets["price"] == [("0", "moins de 500 €", 1)]
    assert facets["domain"][0][0] == "34" and facets["domain"][0][2] == 1


def test_rome_and_formacode_labels_are_searched_below_the_titles() -> None:
    RomeJob.objects.create(code="M1203", title="Comptabilité")
    Formacode.objects.create(code="22252", label="Soudage")
    cert = f.certification(title="Titre professionnel gestionnaire")
    training = Training.objects.create(
        provider=f.provider(),
        certification=cert,
        reference="F-ROME",
        title="Parcours gestionnaire",
        rome_codes=["M1203"],
        formacode_codes=["22252"],
    )
    by_label = f.offer(training=training)
    by_title = f.offer(title="Comptabilité générale")
    out = search_offers(SearchParams(text="comptabilite"), client_ip=IP)
    assert [i.offer_id for i in out.items] == [by_title.id, by_label.id]  # title level before labels level
    assert out.items[0].explanation["level"] < out.items[1].explanation["level"]
    assert [i.offer_id for i in search_offers(SearchParams(text="soudure"), client_ip=IP).items] == [by_label.id]


def test_autocomplete_covers_rome_trades_and_job_titles() -> None:
    f.offer(cert=f.certification(title="Comptable assistant"))
    RomeJob.objects.create(code="M1203", title="Comptabilité")
    RomeTitle.objects.create(ogr_code="11031", title="Aide-comptable", rome_code="M1203")
    RomeTitle.objects.create(ogr_code="38584", title="Conducteur / Conductrice de bus", rome_code="N4103")
    assert autocomplete("compta") == ["Comptabilité", "Aide-comptable", "Comptable assistant"]
    assert autocomplete("conducteur de b") == ["Conducteur / Conductrice de bus"]
    assert autocomplete("aide compt") == ["Aide-comptable"]
    assert autocomplete("xyz") == []
