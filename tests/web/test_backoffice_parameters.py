import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from opencpf.core.models import AuditEvent, Parameter
from opencpf.core.params import param
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db


def agent(*perms: str):
    user = staff_user_create(email=f"agent{len(perms)}@example.org", password=None, kind=UserKind.AGENT)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="core"))
    return user


def test_agent_with_change_permission_adds_a_version(client):
    login_agent(client, agent("view_parameter", "change_parameter"))
    response = client.post(
        "/gestion/parametres/",
        {
            "key": "copayment_cents",
            "effective_from": "01/01/2027",
            "value": "10500",
            "reason": "Arrêté de réindexation",
        },
    )
    assert response.status_code == 302
    assert param("copayment_cents", on=dt.date(2027, 1, 1)) == 10_500
    assert param("copayment_cents", on=dt.date(2026, 12, 31)) == 10_223
    event = AuditEvent.objects.get(action="parameter.set")
    assert event.reason == "Arrêté de réindexation" and event.data["value"] == 10_500


def test_read_only_agent_cannot_change_and_nothing_changes(client):
    login_agent(client, agent("view_parameter"))
    before = Parameter.objects.count()
    assert client.get("/gestion/parametres/").status_code == 200
    response = client.post(
        "/gestion/parametres/", {"key": "copayment_cents", "effective_from": "01/01/2027", "value": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert Parameter.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_bad_input_is_explained_in_french_and_changes_nothing(client):
    login_agent(client, agent("view_parameter", "change_parameter"))
    before = Parameter.objects.count()
    response = client.post(
        "/gestion/parametres/", {"key": "copayment_cents", "effective_from": "31/02/2027", "value": "-3", "reason": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez une date valide" in html
    assert Parameter.objects.count() == before


def test_agent_without_permission_is_refused(client):
    login_agent(client, agent())
    assert client.get("/gestion/parametres/").status_code == 403
