"""The search through its selector, on a real database: criteria, grouping, sorts, freshness."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from django.core.management import call_command

from opencpf.catalogue.models import Offer, ProviderStatus
from opencpf.search import runtime
from opencpf.search.hooks import offer_changed
from opencpf.search.models import OfferChange
from opencpf.search.selectors import SearchParams, autocomplete, search_offers
from tests.search import factories as f

pytestmark = pytest.mark.django_db
IP = "203.0.113.10"


def ids(out) -> list[int]:  # type: ignore[no-untyped-def]
    return [i.offer_id for i in out.items]


def find(text: str = "", ip: str = IP, **kw) -> list[int]:  # type: ignore[no-untyped-def]
    return ids(search_offers(SearchParams(text=text, page_size=100, **kw), client_ip=ip))


def test_published_offer_is_found_unpublished_is_not() -> None:
    shown = f.offer(title="Comptabilité générale")
    hidden = f.offer(title="Comptabilité analytique", published=False)
    suspended = f.offer(title="Comptabilité des PME", prov=f.provider(status=ProviderStatus.SUSPENDED))
    found = find("comptabilité")
    assert shown.id in found
    assert hidden.id not in found
    assert suspended.id not in found


def test_accents_case_plurals_synonyms_and_typos() -> None:
    compta = f.offer(title="Comptabilité et gestion")
    formation = f.offer(title="Formation soudage TIG")
    assert find("COMPTABILITE") == [compta.id]
    assert find("formations") == [formation.id]
    assert find("soudure") == [formation.id]
    assert find("comptabilte") == [compta.id]  # one letter missing, 11 letters
    assert find("compta") == [compta.id]  # trade synonym


def test_certification_code_and_description_are_searched() -> None:
    cert = f.certification(title="Gestionnaire de paie", code="RNCP35185")
    by_code = f.offer(title="Parcours paie", cert=cert)
    by_desc = f.offer(title="Parcours RH", description="Module complet de paie et cotisations")
    assert find("RNCP35185") == [by_code.id]
    out = search_offers(SearchParams(text="paie"), client_ip=IP)
    assert [i.offer_id for i in out.items] == [by_code.id, by_desc.id]  # title level before description level
    assert out.items[0].explanation["level"] < out.items[1].explanation["level"]


def test_filters() -> None:
    cheap = f.offer(title="Anglais", price_cents=90_000, hours=30, sessions=[dt.date(2026, 3, 20)])
    dear = f.offer(title="Anglais", price_cents=300_000, hours=200, sessions=[dt.date(2026, 9, 1)], disability=False)
    remote = f.offer(title="Anglais", modality="distance", price_cents=120_000, hours=40)
    assert set(find("anglais", max_price_cents=100_000)) == {cheap.id}
    assert set(find("anglais", modalities=["distance"])) == {remote.id}
    assert set(find("anglais", distance_only=True)) == {remote.id}
    assert set(find("anglais", min_hours=100)) == {dear.id}
    assert set(find("anglais", disability_access=True)) == {cheap.id, remote.id}
    assert set(find("anglais", start_from=dt.date(2026, 8, 1), start_to=dt.date(2026, 9, 30))) == {dear.id}
    assert set(find("anglais", levels=[4])) == {cheap.id, dear.id, remote.id}
    assert find("anglais", levels=[7]) == []
    assert set(find("anglais", balance_cents=130_000)) == {cheap.id, remote.id}  # "within my balance"
    assert find("anglais", min_rating=3.0) == []  # no ratings yet: a minimum excludes unrated offers


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def test_distance_filter_agrees_with_a_haversine_reference() -> None:
    rng = random.Random(7)
    offers = [f.offer(title="Vente conseil", place="lyon")]  # the only offer in Lyon's postcode: Lyon's position
    for _ in range(40):
        o = f.offer(title="Vente conseil", place="paris")
        o.latitude, o.longitude = 45.76 + rng.uniform(-0.6, 0.6), 4.84 + rng.uniform(-0.8, 0.8)
        o.save(update_fields=["latitude", "longitude"])
        offers.append(o)
    lyon = f.PLACES["lyon"]
    for radius in (5, 20, 30, 50):
        expected = {o.id for o in offers if _haversine(lyon[3], lyon[4], o.latitude, o.longitude) <= radius}
        out = search_offers(SearchParams(text="vente", place="Lyon", radius_km=radius, page_size=100), client_ip=IP)
        assert {i.offer_id for i in out.items} == expected
        for item in out.items:
            o = next(x for x in offers if x.id == item.offer_id)
            assert item.distance_km == pytest.approx(_haversine(lyon[3], lyon[4], o.latitude, o.longitude), abs=0.1)


def test_place_by_postcode_and_distance_bands() -> None:
    near = f.offer(title="Cuisine", place="lyon")
    mid = f.offer(title="Cuisine", place="vienne")  # about 26 km from Lyon
    far = f.offer(title="Cuisine", place="grenoble")
    out = search_offers(SearchParams(text="cuisine", place="69003", radius_km=30), client_ip=IP)
    assert [i.offer_id for i in out.items] == [near.id, mid.id]
    assert far.id not in ids(out)
    assert "tranche" in " ".join(out.items[1].explanation["criteria"])


def test_same_provider_certification_place_and_price_make_one_result() -> None:
    prov, cert = f.provider(), f.certification(title="Cariste")
    training = None
    grouped = []
    for k in range(3):
        o = f.offer(title="Cariste CACES", prov=prov, cert=cert, training=training, sessions=[dt.date(2026, 4, 1 + k)])
        training = o.training
        grouped.append(o.id)
    other_price = f.offer(title="Cariste CACES", prov=prov, cert=cert, training=training, price_cents=99_000)
    other = f.offer(title="Cariste CACES")
    out = search_offers(SearchParams(text="cariste"), client_ip=IP)
    assert out.total == 3
    group = next(i for i in out.items if set(i.offer_ids) == set(grouped))
    assert group.sessions_count == 3
    assert {i.offer_id for i in out.items} - {group.offer_id} == {other_price.id, other.id}


def test_same_ip_same_order_other_ips_other_orders_and_pages_continue() -> None:
    for _ in range(30):
        f.offer(title="Excel avancé")
    first = find("excel", ip="198.51.100.1")
    assert find("excel", ip="198.51.100.1") == first
    assert find("Excel  excel", ip="198.51.100.1") == first  # the same normalised query
    others = {tuple(find("excel", ip=f"198.51.100.{n}")) for n in range(2, 8)}
    assert len(others | {tuple(first)}) > 1
    assert all(sorted(o) == sorted(first) for o in others)
    pages = []
    for page in (1, 2, 3, 4):
        pages += ids(search_offers(SearchParams(text="excel", page=page, page_size=8), client_ip="198.51.100.1"))
    assert pages == first


def test_every_top_level_offer_gets_first_place_for_someone() -> None:
    offers = {f.offer(title="Management d'équipe").id for _ in range(5)}
    firsts = {find("management", ip=f"192.0.2.{n}")[0] for n in range(1, 120)}
    assert firsts == offers


def test_other_sorts_break_ties_neutrally() -> None:
    a = [f.offer(title="Paie", price_cents=100_000) for _ in range(6)]
    b = f.offer(title="Paie", price_cents=50_000)
    orders = [find("paie", sort="price", ip=f"192.0.2.{n}") for n in range(1, 12)]
    assert all(o[0] == b.id for o in orders)
    assert len({tuple(o[1:]) for o in orders}) > 1
    assert all(set(o[1:]) == {x.id for x in a} for o in orders)
    soon = f.offer(title="Paie", sessions=[dt.date(2026, 3, 5)])
    runtime.reset(None)
    assert find("paie", sort="start")[0] == soon.id


def test_explanations_say_why() -> None:
    f.offer(title="Plombier chauffagiste", place="lyon")
    item = search_offers(SearchParams(text="plombier", place="Lyon"), client_ip=IP).items[0]
    text = " ".join(item.explanation["criteria"])
    assert "intitulé" in text and "km" in text
    assert "tiré au sort" in item.explanation["tie_rule"]


def test_an_offer_change_is_searchable_after_the_hook(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SEARCH_FRESHNESS_SECONDS = 0
    settings.SEARCH_SWEEP_SECONDS = 3600
    o = f.offer(title="Boulangerie artisanale")
    assert find("boulangerie") == [o.id]
    o.is_published = False
    o.save(update_fields=["is_published"])
    offer_changed(o.id)
    assert find("boulangerie") == []
    new = f.offer(title="Boulangerie bio")
    assert find("boulangerie") == []  # not announced, and the sweep is far away
    offer_changed(new.id)
    assert find("boulangerie") == [new.id]
    assert OfferChange.objects.filter(offer_id=new.id).exists()


def test_an_offer_change_is_found_by_the_sweep_without_hook(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SEARCH_FRESHNESS_SECONDS = 0
    settings.SEARCH_SWEEP_SECONDS = 0
    o = f.offer(title="Jardinier paysagiste")
    assert find("paysagiste") == [o.id]
    o.training.title = "Élagueur grimpeur"
    o.training.save(update_fields=["title"])
    o.save(update_fields=["updated_at"])
    assert find("paysagiste") == []
    assert find("elagueur") == [o.id]


def test_a_delta_offer_joins_its_group_in_the_base(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SEARCH_FRESHNESS_SECONDS = 0
    first = f.offer(title="Mécanique auto")
    assert search_offers(SearchParams(text="mecanique"), client_ip=IP).total == 1
    f.offer(title="Mécanique auto", training=first.training, sessions=[dt.date(2026, 5, 1)])
    Offer.objects.update()  # nothing: the hook announces it
    offer_changed(Offer.objects.latest("id").id)
    out = search_offers(SearchParams(text="mecanique"), client_ip=IP)
    assert out.total == 1
    assert out.items[0].sessions_count == 2


def test_rebuild_command(capsys) -> None:  # type: ignore[no-untyped-def]
    f.offer(title="Secrétaire assistant")
    call_command("rebuild_search_index", "--no-signal")
    assert "Index reconstruit : 1 offres" in capsys.readouterr().out
    assert runtime.current().index.size == 1


def test_autocomplete_on_certification_titles() -> None:
    f.offer(cert=f.certification(title="Comptable assistant"))
    f.offer(cert=f.certification(title="Conducteur de bus"))
    assert autocomplete("compt") == ["Comptable assistant"]
    assert autocomplete("c") == []


@pytest.mark.django_db
def test_identical_results_on_every_database() -> None:
    """Fixed ids and secret: this order is the same on SQLite and PostgreSQL (the suite runs on both)."""
    cert = f.certification(title="Titre professionnel vendeur", code="RNCP90001")
    prov = f.provider()
    for k in range(8):
        f.offer(pk=1000 + k, title="Vendeur conseil", cert=cert, prov=prov, price_cents=100_000 + k)
    order = find("vendeur", ip="192.0.2.77")
    assert sorted(order) == list(range(1000, 1008))
    assert order == EXPECTED_ORDER


EXPECTED_ORDER = [1002, 1000, 1005, 1007, 1003, 1001, 1004, 1006]


def test_provider_name_size_and_creation_date_do_not_move_an_offer(settings) -> None:  # type: ignore[no-untyped-def]
    """Metamorphic, through the database: what is not a criterion leaves the level and the result set alone."""
    settings.SEARCH_FRESHNESS_SECONDS = 0
    settings.SEARCH_SWEEP_SECONDS = 0
    target = f.offer(title="Maçonnerie gros œuvre", description="maçonnerie")
    others = [f.offer(title="Maçon coffreur") for _ in range(3)]

    def levels() -> dict[int, int]:
        out = search_offers(SearchParams(text="maconnerie", page_size=100), client_ip=IP)
        return {i.offer_id: i.explanation["level"] for i in out.items}

    before = levels()
    prov = target.training.provider
    prov.name, prov.headcount = "AAAA Formation Premium", 5000
    prov.save(update_fields=["name", "headcount"])
    Offer.objects.filter(pk=target.pk).update(created_at=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    for o in others[:2]:
        o.is_published = False
        o.save(update_fields=["is_published"])
    f.offer(title="Maçonnerie")  # one more competitor
    target.save(update_fields=["updated_at"])
    after = levels()
    assert after[target.id] == before[target.id]
