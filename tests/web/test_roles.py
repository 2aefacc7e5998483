"""Agents' roles (groups seeded by data migrations) open the back-office pages their work needs, and no more."""

import pytest
from django.contrib.auth.models import Group

from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db

PAGES = ["/gestion/parametres/", "/gestion/demandes/", "/gestion/signalements/", "/gestion/alertes/"]
EXPECTED = {
    "support": [200, 200, 200, 403],
    "case_manager": [200, 200, 200, 200],
    "controller": [200, 403, 200, 200],
    "payment_officer": [200, 200, 403, 403],
    "fraud_analyst": [200, 403, 200, 200],
    "administrator": [200, 200, 200, 200],
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_page_access(client, role):
    user = staff_user_create(email=f"{role}@operateur.fr", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name=role))
    login_agent(client, user)
    assert [client.get(url).status_code for url in PAGES] == EXPECTED[role]


def test_only_administrators_may_version_parameters(client):
    for role, expected in (("support", 403), ("administrator", 302)):
        user = staff_user_create(email=f"p-{role}@operateur.fr", password=None, kind=UserKind.AGENT)
        user.groups.add(Group.objects.get(name=role))
        login_agent(client, user)
        response = client.post(
            "/gestion/parametres/",
            {"key": "copayment_cents", "effective_from": "01/01/2030", "value": "11000", "reason": "test"},
        )
        assert response.status_code == expected
