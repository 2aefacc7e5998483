"""Providers' staff (invite, remove, isolation) and agents (roles, audited reads)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from opencpf.core.models import AuditEvent
from opencpf.identity import roles
from opencpf.identity.exceptions import AgentPermissionDenied, AuditReasonRequired, LastAdministrator
from opencpf.identity.models import ProviderMembership, ProviderRole, User
from opencpf.identity.services import holder_read_audited, provider_member_remove
from tests.conftest import DEMO_PASSWORD, pass_agent_factor
from tests.identity.conftest import make_agent


def login(client, email: str, portal: str = "/organisme/") -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"{portal}connexion/", {"username": email, "password": DEMO_PASSWORD}).status_code == 302
    if portal == "/gestion/":  # then the second factor (its own tests: tests/identity/test_agent_second_factor.py)
        pass_agent_factor(client, User.objects.get(email=email))


@pytest.mark.django_db
def test_administrator_invites_member_who_sets_password_and_signs_in(client, provider_a):
    provider, _admin = provider_a
    login(client, "admin@a.example.org")
    response = client.post(
        "/organisme/membres/",
        {"email": "Nouvelle@A.example.org", "role": "manager", "first_name": "Léa", "last_name": "Blanc"},
    )
    assert response.status_code == 302
    member = User.objects.get(email="nouvelle@a.example.org")
    assert ProviderMembership.objects.get(user=member).role == ProviderRole.MANAGER
    assert not member.has_usable_password()
    link = re.search(r"http://testserver(/organisme/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    invited = client.__class__()
    page = invited.get(link, follow=True)
    new = "Mot-de-passe-membre-2026"
    assert invited.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}).status_code == 302
    assert invited.post("/organisme/connexion/", {"username": member.email, "password": new}).status_code == 302
    # A manager cannot invite or remove.
    assert invited.post("/organisme/membres/", {"email": "x@a.example.org", "role": "manager"}).status_code == 403
    admin_membership = ProviderMembership.objects.get(user__email="admin@a.example.org")
    assert invited.post(f"/organisme/membres/{admin_membership.pk}/retirer/").status_code == 403
    assert ProviderMembership.objects.filter(provider=provider).count() == 2


@pytest.mark.django_db
def test_administrator_removes_member_and_their_sessions_end(client, provider_a):
    provider, admin = provider_a
    login(client, "admin@a.example.org")
    client.post("/organisme/membres/", {"email": "m@a.example.org", "role": "manager"})
    member = User.objects.get(email="m@a.example.org")
    member.set_password(DEMO_PASSWORD)
    member.save()
    theirs = client.__class__()
    login(theirs, "m@a.example.org")
    membership = ProviderMembership.objects.get(user=member)
    assert client.post(f"/organisme/membres/{membership.pk}/retirer/").status_code == 302
    assert not ProviderMembership.objects.filter(pk=membership.pk).exists()
    assert theirs.get("/organisme/").status_code == 302


@pytest.mark.django_db
def test_last_administrator_cannot_be_removed(provider_a):
    provider, admin = provider_a
    membership = ProviderMembership.objects.get(user=admin)
    with pytest.raises(LastAdministrator):
        provider_member_remove(by=admin, provider=provider, membership_id=membership.pk)
    assert ProviderMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_provider_a_cannot_see_or_remove_provider_b_members(client, provider_a, provider_b):
    login(client, "admin@a.example.org")
    body = client.get("/organisme/membres/").content.decode()
    assert "admin@a.example.org" in body and "admin@b.example.org" not in body
    b_membership = ProviderMembership.objects.get(user__email="admin@b.example.org")
    assert client.post(f"/organisme/membres/{b_membership.pk}/retirer/").status_code == 404
    assert ProviderMembership.objects.filter(pk=b_membership.pk).exists()


@pytest.mark.django_db
def test_scope_helpers_isolate_providers(rf, provider_a, provider_b):
    from django.http import Http404

    from opencpf.catalogue.models import Provider
    from opencpf.web.access import get_for_provider_or_404

    request = rf.get("/")
    request.user = provider_a[1]
    assert get_for_provider_or_404(request, Provider.objects.all(), field="pk", pk=provider_a[0].pk) == provider_a[0]
    with pytest.raises(Http404):
        get_for_provider_or_404(request, Provider.objects.all(), field="pk", pk=provider_b[0].pk)


@pytest.mark.django_db
def test_agent_roles_exist_with_permissions():
    for role, perms in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        codes = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert set(perms) <= codes, role  # other domains add their own permissions to the roles


@pytest.mark.django_db
def test_agent_read_of_personal_data_is_audited(client, holder):
    agent = make_agent(roles.CASE_MANAGER)
    login(client, agent.email, "/gestion/")
    page = client.get(f"/gestion/titulaires/{holder.pk}/")
    assert page.status_code == 200 and "Martin" not in page.content.decode()
    assert not AuditEvent.objects.filter(action="identity.holder.personal_data.read").exists()
    assert "Indiquez le motif" in client.post(f"/gestion/titulaires/{holder.pk}/", {"reason": ""}).content.decode()
    response = client.post(f"/gestion/titulaires/{holder.pk}/", {"reason": "Demande n° 1234 du titulaire"})
    assert "Martin" in response.content.decode() and "1 85 05 ** *** *** 91" in response.content.decode()
    event = AuditEvent.objects.get(action="identity.holder.personal_data.read")
    assert event.actor == agent and event.object_id == str(holder.pk) and event.reason.startswith("Demande")


@pytest.mark.django_db
def test_payment_officer_cannot_read_personal_data(client, holder):
    agent = make_agent(roles.PAYMENT_OFFICER)
    login(client, agent.email, "/gestion/")
    assert client.get(f"/gestion/titulaires/{holder.pk}/").status_code == 403
    with pytest.raises(AgentPermissionDenied):
        holder_read_audited(agent=agent, holder=holder, reason="curiosité", request=None)
    with pytest.raises(AuditReasonRequired):
        holder_read_audited(agent=make_agent(roles.SUPPORT), holder=holder, reason=" ", request=None)
    assert not AuditEvent.objects.filter(action="identity.holder.personal_data.read").exists()


@pytest.mark.django_db
def test_provider_api_keys_page(client, provider_a, provider_b):
    from opencpf.identity.models import ProviderApiKey
    from opencpf.identity.tokens import provider_api_key_create

    login(client, "admin@a.example.org")
    response = client.post("/organisme/cles-api/", {"name": "Logiciel de gestion"})
    secret = re.search(r"<code>(ocpf_[^<]+)</code>", response.content.decode()).group(1)  # type: ignore[union-attr]
    assert client.get("/api/v1/organisme", HTTP_X_API_KEY=secret).json()["name"] == "Organisme A"
    key = ProviderApiKey.objects.get(provider=provider_a[0])
    assert secret not in key.key_hash and key.prefix == secret[:12]
    b_key, _ = provider_api_key_create(provider=provider_b[0], name="B", by=None)
    assert client.post(f"/organisme/cles-api/{b_key.pk}/revoquer/").status_code == 404
    assert client.post(f"/organisme/cles-api/{key.pk}/revoquer/").status_code == 302
    assert client.get("/api/v1/organisme", HTTP_X_API_KEY=secret).status_code == 401
    assert ProviderApiKey.objects.get(pk=b_key.pk).revoked_at is None


@pytest.mark.django_db
def test_inviting_an_agents_email_is_refused(provider_a):
    from opencpf.identity.exceptions import MemberEmailTaken
    from opencpf.identity.services import provider_member_invite

    with pytest.raises(MemberEmailTaken):
        provider_member_invite(
            by=provider_a[1],
            provider=provider_a[0],
            email=make_agent(roles.SUPPORT).email,
            role="manager",
            invite_url="{uidb64}{token}",
        )
    assert ProviderMembership.objects.filter(provider=provider_a[0]).count() == 1


@pytest.mark.django_db
def test_administrator_manages_agents(client):
    admin = make_agent(roles.ADMINISTRATOR)
    login(client, admin.email, "/gestion/")
    response = client.post(
        "/gestion/gestionnaires/", {"email": "nouvel.agent@example.org", "role": roles.FRAUD_ANALYST}
    )
    assert response.status_code == 302
    agent = User.objects.get(email="nouvel.agent@example.org")
    assert [g.name for g in agent.groups.all()] == [roles.FRAUD_ANALYST]
    assert agent.has_perm("identity.view_holder_personal_data") and not agent.has_perm("identity.manage_agents")
    link = re.search(r"http://testserver(/gestion/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    invited = client.__class__()
    page = invited.get(link, follow=True)
    new = "Mot-de-passe-agent-2026"
    assert invited.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}).status_code == 302
    assert invited.post("/gestion/connexion/", {"username": agent.email, "password": new}).status_code == 302
    assert invited.get("/gestion/gestionnaires/")["Location"].startswith("/gestion/verification/?next=")
    pass_agent_factor(invited, agent)
    assert invited.get("/gestion/gestionnaires/").status_code == 403  # not an administrator
    # Role change, then deactivation ends the agent's sessions.
    client.post("/gestion/gestionnaires/", {"email": agent.email, "role": roles.SUPPORT})
    assert [g.name for g in User.objects.get(pk=agent.pk).groups.all()] == [roles.SUPPORT]
    assert client.post(f"/gestion/gestionnaires/{agent.pk}/desactiver/").status_code == 302
    assert not User.objects.get(pk=agent.pk).is_active
    assert invited.get("/gestion/").status_code == 302
    assert AuditEvent.objects.filter(action="identity.agent.deactivated", object_id=str(agent.pk)).exists()


@pytest.mark.django_db
def test_non_administrator_cannot_create_agents(client):
    from opencpf.core.exceptions import PermissionDenied
    from opencpf.identity.services import agent_invite

    support = make_agent(roles.SUPPORT)
    login(client, support.email, "/gestion/")
    assert (
        client.post("/gestion/gestionnaires/", {"email": "x@example.org", "role": roles.ADMINISTRATOR}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        agent_invite(by=support, email="x@example.org", role=roles.ADMINISTRATOR, invite_url="")
    assert not User.objects.filter(email="x@example.org").exists()
