"""The holder's offer page and dashboard, the provider's dashboard: what they show, on the demo data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from opencpf.core import clock
from opencpf.core.money import format_eur

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def tour():  # type: ignore[no-untyped-def]
    from opencpf.web import page_tour

    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))  # a Monday
    return page_tour.build()


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def test_offer_page_tells_a_holder_what_it_costs_and_invites_others_to_log_in(tour):
    from opencpf.catalogue.models import Offer

    offer_id = tour.kwargs["holder:offer"]["offer_id"]
    anonymous = Client().get(f"/formations/{offer_id}/").content.decode()
    assert "Connectez-vous" in anonymous and "Mes droits CPF" not in anonymous
    assert "Demander une inscription" in anonymous and "mercredi 1 avril 2026" in anonymous
    html = as_user(tour.users["holder"]).get(f"/formations/{offer_id}/").content.decode()
    assert "Mes droits CPF" in html and format_eur(150_000) in html  # the holder's 1 500 € of rights pay
    assert "Participation forfaitaire" in html and "Je paie par carte" in html
    Offer.objects.filter(pk=offer_id).update(is_published=False)
    assert Client().get(f"/formations/{offer_id}/").status_code == 404


def test_dashboard_shows_the_split_what_to_do_and_last_movements(tour):
    html = as_user(tour.users["holder"]).get("/mon-compte/").content.decode()
    assert "Abondement Région Auvergne-Rhône-Alpes (réservé à la certification" in html
    assert "À faire" in html and "Accepter ou refuser la proposition de l&#x27;organisme" in html
    assert "Derniers mouvements" in html and "Alimentation annuelle" in html
    assert "lundi 2 mars 2026" in html  # dates in words


def test_provider_dashboard_lists_requests_by_deadline_with_days_left(tour):
    from opencpf.enrolment.models import Dossier

    staff = tour.users["provider"]
    to_answer = Dossier.objects.filter(state="notProcessed", provider__memberships__user=staff)
    waiting = to_answer.order_by("deadline_on", "id").first()  # the demo story holds requests too
    html = as_user(staff).get("/organisme/").content.decode()
    assert f"Dossiers à traiter ({to_answer.count()})" in html and waiting.number in html
    days = (waiting.deadline_on - clock.today()).days
    assert f"{days} jour" in html
    assert "2 offres publiées sur 2" in html
