"""RGPD access right: a holder downloads all their personal data as JSON (NIR masked)."""

from __future__ import annotations

import pytest

from opencpf.core.models import AuditEvent
from tests.conftest import DEMO_PASSWORD


@pytest.mark.django_db
def test_download_personal_data(client, holder, other_holder):
    client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD})
    response = client.get("/mon-compte/donnees-personnelles/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["identite"]["numero_securite_sociale"] == "1 85 05 ** *** *** 91"
    assert data["identite"]["nom_de_naissance"] == "Martin"
    assert data["compte"]["adresse_electronique"] == "paul.martin@example.org"
    assert len(data["sessions"]) == 1
    assert "Durand" not in response.content.decode()
    assert "185057800608491" not in response.content.decode()
    assert AuditEvent.objects.filter(action="identity.personal_data.exported", object_id=str(holder.pk)).exists()


@pytest.mark.django_db
def test_security_page_renders(client, holder):
    client.post("/connexion/", {"username": "185057800608491", "password": DEMO_PASSWORD})
    body = client.get("/mon-compte/securite/").content.decode()
    assert "Sessions ouvertes" in body and "1 85 05 ** *** *** 91" in body
    assert "Confirmez votre adresse" in body.replace("&#x27;", "'")
