"""Offer publication rules, change log and the after-commit notification of the search index."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.catalogue import services, signals
from opencpf.catalogue.exceptions import InvalidOfferData, OfferNotPublishable
from opencpf.catalogue.models import Offer, OfferChange, ProviderStatus, Session
from opencpf.catalogue.rules import offer_publication_problems
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

pytestmark = pytest.mark.django_db


def test_publishable_offer_is_published_and_logged(provider, cert, permitted, frozen_clock):
    offer = make_offer(provider, cert)
    offer.refresh_from_db()
    assert offer.is_published
    actions = list(OfferChange.objects.filter(offer=offer).order_by("pk").values_list("action", flat=True))
    assert actions == ["created", "published"]
    # place and department taken from the offer (no communes referential loaded)
    assert offer.department_code == "69"


def test_every_reason_is_shown_to_the_provider(db, frozen_clock):
    provider = make_provider(status=ProviderStatus.PENDING, qualiopi_until=dt.date(2025, 1, 1))
    cert = make_certification("RNCP1", active=False)
    offer = make_offer(
        provider,
        cert,
        publish=False,
        hours_total=0,
        hours_centre=0,
        price_incl_tax_cents=0,
        price_excl_tax_cents=0,
        address="",
        postcode="",
    )
    problems = offer_publication_problems(offer)
    assert problems == [
        "l'organisme n'est pas référencé (statut : en cours d'examen)",
        "l'organisme n'a pas de certificat Qualiopi en cours de validité",
        "la certification RNCP1 n'est pas active",
        "l'organisme n'a pas d'habilitation du certificateur pour RNCP1",
        "la durée totale doit être d'au moins une heure",
        "le prix TTC doit être positif",
        "une formation en présentiel ou mixte doit indiquer l'adresse, le code postal et la commune",
    ]
    with pytest.raises(OfferNotPublishable) as exc:
        services.offer_publish(offer=offer, actor=None)
    assert exc.value.problems == problems
    offer.refresh_from_db()
    assert not offer.is_published  # nothing changed


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {
                "hours_total": 5000,
                "hours_centre": 0,
                "price_incl_tax_cents": 2_000_000,
                "price_excl_tax_cents": 2_000_000,
            },
            "la durée totale (5000 h) dépasse le maximum plausible de 3000 h",
        ),
        (
            {
                "price_incl_tax_cents": 40_000_00,
                "price_excl_tax_cents": 40_000_00,
                "hours_total": 10,
                "hours_centre": 0,
            },
            "le prix horaire (4\u202f000,00\u00a0€ de l'heure) dépasse le maximum plausible de 500,00\u00a0€",
        ),
        (
            {"price_incl_tax_cents": 100_00, "price_excl_tax_cents": 100_00, "hours_total": 400, "hours_centre": 0},
            "le prix horaire (0,25\u00a0€ de l'heure) est inférieur au minimum plausible de 1,00\u00a0€",
        ),
        ({"price_excl_tax_cents": 200_000}, "le prix HT ne peut pas dépasser le prix TTC"),
        ({"price_excl_tax_cents": 50_000}, "l'écart entre le prix TTC et le prix HT dépasse le taux de TVA maximal"),
        (
            {"hours_centre": 30, "hours_company": 20},
            "les heures en centre (30 h) et en entreprise (20 h) dépassent la durée totale (40 h)",
        ),
    ],
)
def test_implausible_price_or_hours(provider, cert, permitted, frozen_clock, overrides, expected):
    offer = make_offer(provider, cert, publish=False, **overrides)
    assert offer_publication_problems(offer) == [expected]


def test_withdrawn_permission_and_inactive_certification_reasons(provider, cert, permitted, frozen_clock):
    offer = make_offer(provider, cert)
    services.permission_withdraw(permission=permitted, actor=None, reason="fin de convention")
    offer.refresh_from_db()
    assert not offer.is_published
    assert "habilitation retirée" in offer.unpublished_reason
    assert offer_publication_problems(offer) == ["l'habilitation du certificateur pour RNCP35185 a été retirée"]


def test_update_records_who_when_what_and_unpublishes_when_rules_break(provider, cert, permitted, staff, frozen_clock):
    offer = make_offer(provider, cert, actor=staff)
    services.offer_update(
        offer=offer,
        actor=staff,
        fields={"price_incl_tax_cents": 170_000, "city": "Lyon 2e"},
        training={"title": "Anglais des affaires"},
    )
    change = OfferChange.objects.filter(offer=offer, action="updated").get()
    assert change.actor == staff and change.actor_label == "sophie@formapro.example"
    assert change.at == frozen_clock.now()
    assert change.changes == {
        "formation.title": ["Anglais professionnel – TOEIC", "Anglais des affaires"],
        "price_incl_tax_cents": [180_000, 170_000],
        "city": ["Lyon", "Lyon 2e"],
    }
    services.offer_update(offer=offer, actor=staff, fields={"hours_total": 0, "hours_centre": 0})
    offer.refresh_from_db()
    assert not offer.is_published and "durée totale" in offer.unpublished_reason


def test_unknown_field_is_refused_and_nothing_changes(provider, cert, permitted, frozen_clock):
    offer = make_offer(provider, cert)
    before = OfferChange.objects.count()
    with pytest.raises(InvalidOfferData):
        services.offer_update(offer=offer, actor=None, fields={"is_published": False})
    offer.refresh_from_db()
    assert offer.is_published and OfferChange.objects.count() == before


def test_listeners_are_called_after_commit_only(
    provider, cert, permitted, frozen_clock, django_capture_on_commit_callbacks
):
    seen: list[int] = []
    signals.offer_change_listeners.append(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            offer = make_offer(provider, cert)
        assert seen == []  # nothing before commit
        for cb in callbacks:
            cb()
        assert set(seen) == {offer.pk}
    finally:
        signals.offer_change_listeners.remove(seen.append)


def test_failing_listener_does_not_break_writes(
    provider, cert, permitted, frozen_clock, django_capture_on_commit_callbacks
):
    def boom(_offer_id: int) -> None:
        raise RuntimeError("index down")

    signals.offer_change_listeners.append(boom)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            offer = make_offer(provider, cert)
        assert Offer.objects.filter(pk=offer.pk, is_published=True).exists()
    finally:
        signals.offer_change_listeners.remove(boom)


def test_duplicate_offer_and_sessions(provider, cert, permitted, staff, frozen_clock):
    offer = make_offer(provider, cert)
    s = services.session_create(
        offer=offer,
        actor=staff,
        reference="S1",
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 4, 10),
        is_recruiting=True,
        capacity=12,
    )
    copy = services.offer_duplicate(offer=offer, actor=staff)
    assert copy.reference == "A1-copie" and not copy.is_published and copy.training_id == offer.training_id
    assert services.offer_duplicate(offer=offer, actor=staff).reference == "A1-copie-2"
    s2 = services.session_duplicate(session=s, actor=staff, start_date=dt.date(2026, 6, 1))
    assert (s2.reference, s2.start_date, s2.end_date, s2.capacity) == (
        "S1-copie",
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 10),
        12,
    )
    services.session_update(session=s, actor=staff, is_recruiting=False)
    assert OfferChange.objects.filter(offer=offer, action="session").count() == 3
    with pytest.raises(InvalidOfferData):
        services.session_create(
            offer=offer, actor=staff, reference="S9", start_date=dt.date(2026, 5, 2), end_date=dt.date(2026, 5, 1)
        )
    assert not Session.objects.filter(reference="S9").exists()


def test_unpublish(provider, cert, permitted, staff, frozen_clock):
    offer = make_offer(provider, cert)
    services.offer_unpublish(offer=offer, actor=staff)
    offer.refresh_from_db()
    assert not offer.is_published and offer.unpublished_reason == "dépubliée par l'organisme"


def test_other_certification_kinds_need_no_permission(provider, frozen_clock):
    from opencpf.catalogue.models import Certification

    permis = Certification.objects.create(code="PERMIS-B", kind="OTHER", title="Permis B", is_active=True)
    offer = make_offer(provider, permis)
    assert offer_publication_problems(offer) == []
    other = make_provider("35600000000048", name="Autre")
    other_cert = make_certification("RS5063")
    permit(other, other_cert)
    assert offer_publication_problems(make_offer(other, other_cert, training_ref="F2")) == []


def test_place_taken_from_the_communes_referential(provider, cert, permitted, frozen_clock):
    from opencpf.catalogue.models import Commune

    lyon2 = Commune.objects.create(
        insee_code="69382",
        name="Lyon 2e Arrondissement",
        department_code="69",
        region_code="84",
        postcodes=["69002"],
        latitude=45.7493,
        longitude=4.8262,
        district_of="69123",
    )
    villeurbanne = Commune.objects.create(
        insee_code="69266",
        name="Villeurbanne",
        department_code="69",
        region_code="84",
        postcodes=["69100"],
        latitude=45.7719,
        longitude=4.8902,
    )
    by_insee = make_offer(provider, cert, ref="A1", city="", latitude=None, longitude=None)
    assert (by_insee.commune, by_insee.city, by_insee.latitude, by_insee.longitude) == (
        lyon2,
        "Lyon 2e Arrondissement",
        45.7493,
        4.8262,
    )
    by_name = make_offer(
        provider, cert, ref="A2", insee_code="", city="villeurbanne", postcode="69100", latitude=None, longitude=None
    )
    assert (by_name.commune, by_name.insee_code, by_name.department_code, by_name.latitude) == (
        villeurbanne,
        "69266",
        "69",
        45.7719,
    )
