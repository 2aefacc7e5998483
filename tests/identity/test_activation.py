"""Activation with NIR checks, email confirmation, NIR login; no way for an anonymous caller to learn a NIR exists."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from opencpf.identity.models import Holder, User
from tests.conftest import DEMO_PASSWORD

URL = "/activer/"
GOOD = {
    "nir": "2 88 03 75 056 123 53",
    "birth_name": "Lefèvre",
    "first_names": "Camille Anne",
    "birth_date": "21/03/1988",
    "sex": "F",
    "birthplace": "75056",
    "email": "camille@example.org",
    "phone": "06 12 34 56 78",
    "password": "Un-mot-de-passe-solide-2026",
    "password2": "Un-mot-de-passe-solide-2026",
}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def post(client, **changes):  # type: ignore[no-untyped-def]
    return client.post(URL, {**GOOD, **changes})


@pytest.mark.django_db
def test_activation_creates_holder_and_sends_confirmation_link(client):
    response = post(client)
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in text(response)
    holder = Holder.objects.get()
    assert holder.nir_masked == "2 88 03 ** *** *** 53"
    assert holder.user.email_confirmed_at is None
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/confirmer-email/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    # Before confirmation the account cannot buy.
    from opencpf.identity.strong import holder_can_purchase

    assert holder_can_purchase(holder)[0] is False
    assert client.get(link).status_code == 200
    holder.user.refresh_from_db()
    assert holder.user.email_confirmed_at is not None
    assert holder_can_purchase(holder) == (True, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nir": "2 88 03 75 056 123"}, "doit comporter 15 caractères"),
        ({"nir": "2 88 03 75 056 123 54"}, "La clé du numéro de sécurité sociale"),
        ({"nir": "2 88 03 75 056 12X 53"}, "ne contient que des chiffres"),
        ({"sex": "M"}, "ne correspond pas au sexe indiqué"),
        ({"birth_date": "21/03/1987"}, "L'année de naissance du numéro"),
        ({"birth_date": "21/04/1988"}, "Le mois de naissance du numéro"),
        ({"password2": "autre-chose-2026!"}, "Les deux mots de passe ne sont pas identiques"),
        ({"password": "court", "password2": "court"}, "trop court"),
        ({"birth_date": "1988-13-45"}, "JJ/MM/AAAA"),
    ],
)
def test_bad_input_gets_precise_french_message_and_creates_nothing(client, changes, message):
    response = post(client, **changes)
    assert response.status_code == 200
    assert message in text(response)
    assert Holder.objects.count() == 0 and User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_corsica_nir_is_accepted(client):
    response = post(
        client, nir="1 75 12 2A 004 001 04", sex="M", birth_date="03/12/1975", birthplace="2A004", email="a@example.org"
    )
    assert "Vérifiez votre messagerie" in text(response), text(response)[:3000]
    assert Holder.objects.get().nir_masked.startswith("1 75 12")


@pytest.mark.django_db
def test_second_activation_of_a_nir_looks_the_same_and_warns_the_owner(client):
    first = post(client)
    mail.outbox.clear()
    second = post(client, email="intrus@example.org", phone="0700000000")
    assert second.status_code == first.status_code == 200
    assert text(second).split("<main")[1] == text(first).split("<main")[1]
    assert Holder.objects.count() == 1 and User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert "Tentative d'activation" in mail.outbox[0].subject


@pytest.mark.django_db
def test_activation_is_rate_limited(client, settings):
    settings.IDENTITY_RATE_LIMITS = {"activation": (2, 3600)}
    post(client, nir="1 85 05 78 006 084 91", sex="M", birth_date="14/05/1985", email="x1@example.org")
    post(client, nir="2 90 12 69 123 456 52", birth_date="03/12/1990", email="x2@example.org")
    response = post(client)
    assert "Trop de demandes" in text(response)
    assert Holder.objects.count() == 2


@pytest.mark.django_db
def test_nir_login_with_or_without_spaces(client, holder):
    response = client.post(reverse("holder:login"), {"username": "185057800608491", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/mon-compte/"
    client.logout()
    response = client.post(reverse("holder:login"), {"username": "1 85 05 78 006 084 91", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/mon-compte/").status_code == 200


@pytest.mark.django_db
def test_login_failure_message_and_no_nir_echoed(client, holder):
    response = client.post(reverse("holder:login"), {"username": "1 85 05 78 006 084 91", "password": "faux"})
    body = text(response)
    assert "Numéro de sécurité sociale ou mot de passe incorrect" in body
    assert "1 85 05 78 006 084 91" not in body and "185057800608491" not in body


@pytest.mark.django_db
def test_login_page_offers_franceconnect_activation_and_reset(client, settings):
    body = text(client.get(reverse("holder:login")))
    assert "FranceConnect" not in body  # not configured: no button
    assert "/activer/" in body and "/mot-de-passe-oublie/" in body
    settings.FRANCECONNECT = {"client_id": "x", "server_metadata_url": "http://127.0.0.1:9/.well-known"}
    assert "S'identifier avec" in text(client.get(reverse("holder:login")))


@pytest.mark.django_db
def test_password_reset_by_nir_blocks_purchases_and_notifies(client, confirmed):
    from opencpf.identity.strong import holder_can_purchase

    response = client.post("/mot-de-passe-oublie/", {"nir": "185057800608491"})
    assert "Si un compte correspond" in text(response)
    unknown = client.post("/mot-de-passe-oublie/", {"nir": "2 90 12 69 123 456 52"})
    assert "Si un compte correspond" in text(unknown)
    assert len(mail.outbox) == 1
    path = re.search(r"http://testserver(/mot-de-passe-oublie/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "Nouveau-mot-de-passe-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    confirmed.user.refresh_from_db()
    assert confirmed.user.check_password(new)
    ok, reason = holder_can_purchase(confirmed)
    assert not ok and "bloqués jusqu'au" in reason
    assert mail.outbox[-1].to == ["paul.martin@example.org"]


@pytest.mark.django_db
def test_password_reset_is_rate_limited(client, settings, holder):
    settings.IDENTITY_RATE_LIMITS = {"password_reset": (2, 3600)}
    for _ in range(2):
        client.post("/mot-de-passe-oublie/", {"nir": "185057800608491"})
    response = client.post("/mot-de-passe-oublie/", {"nir": "185057800608491"})
    assert "Trop de demandes" in text(response)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_login_answer_is_the_same_for_unknown_nir_and_wrong_password(client, holder):
    wrong = client.post(reverse("holder:login"), {"username": "1 85 05 78 006 084 91", "password": "faux"})
    unknown = client.post(reverse("holder:login"), {"username": "2 90 12 69 123 456 52", "password": "faux"})
    assert wrong.status_code == unknown.status_code == 200

    def main(response):  # type: ignore[no-untyped-def]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response).split("<main")[1])

    assert main(wrong) == main(unknown)
