import pytest
from django.core.management import call_command

from opencpf.identity.models import Holder, ProviderMembership, User
from opencpf.web import demo

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_once_and_prints_logins(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Holder.objects.count(), ProviderMembership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Holder.objects.count(), ProviderMembership.objects.count()) == counts
    out = capsys.readouterr().out
    assert "déjà présentes" in out
    assert demo.DEMO_PASSWORD in out and demo.DEMO_AGENTS[0][0] in out and demo.DEMO_PROVIDER_STAFF[0] in out


def test_demo_logins_work(client):
    demo.load()
    holder = demo.DEMO_HOLDERS[0]
    assert client.post("/connexion/", {"username": holder.nir, "password": demo.DEMO_PASSWORD}).status_code == 302
    client.logout()
    staff = demo.DEMO_PROVIDER_STAFF[0]
    response = client.post("/organisme/connexion/", {"username": staff, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/organisme/"
    client.logout()
    agent = demo.DEMO_AGENTS[0][0]
    response = client.post("/gestion/connexion/", {"username": agent, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/gestion/"


def test_staff_cannot_log_into_the_wrong_portal(client):
    demo.load()
    response = client.post(
        "/gestion/connexion/", {"username": demo.DEMO_PROVIDER_STAFF[0], "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session
