import pytest
from django.core.management import call_command

from opencpf.core import clock
from opencpf.enrolment.enums import BillingState, DossierState
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import Holder, ProviderMembership, User
from opencpf.payments.models import (
    BankAccountStatus,
    PaymentItem,
    PaymentRun,
    PaymentRunState,
    ProviderBankAccount,
)
from opencpf.reviews.enums import CommentStatus
from opencpf.reviews.models import Rating
from opencpf.rights.models import Entry
from opencpf.rights.selectors import balances, ledger_verify, statement
from opencpf.support.models import Ticket
from opencpf.trust.models import Alert, AlertStatus
from opencpf.web import demo
from opencpf.web import demo_story as story
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_once_and_prints_logins(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Holder.objects.count(), ProviderMembership.objects.count(), Entry.objects.count())
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Holder.objects.count(),
        ProviderMembership.objects.count(),
        Entry.objects.count(),
    ) == counts
    out = capsys.readouterr().out
    assert "déjà présentes" in out
    assert demo.DEMO_PASSWORD in out and demo.DEMO_AGENTS[0][0] in out and demo.DEMO_PROVIDER_STAFF[0] in out
    assert "application d'authentification est demandé" in out  # the agents' second factor (test settings: TOTP)


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
    # Then the second factor (the demo's settings send it by email: tests/identity/test_agent_second_factor.py).
    assert client.get("/gestion/")["Location"] == "/gestion/verification/?next=%2Fgestion%2F"


def test_staff_cannot_log_into_the_wrong_portal(client):
    demo.load()
    response = client.post(
        "/gestion/connexion/", {"username": demo.DEMO_PROVIDER_STAFF[0], "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_demo_story_shows_every_portal_alive_and_the_books_balance(capsys):
    demo.load()
    assert clock._frozen is None  # the real clock is restored
    camille, karim = (Holder.objects.get(user__email=h.email) for h in demo.DEMO_HOLDERS)
    assert sorted(Dossier.objects.filter(holder=camille).values_list("state", "billing_state")) == [
        (DossierState.SERVICE_DONE_DECLARED, BillingState.NOT_BILLABLE),  # exited, awaiting her rating
        (DossierState.SERVICE_DONE_VALIDATED, BillingState.PAID),  # rated and paid
        (DossierState.VALIDATED, BillingState.NOT_BILLABLE),  # a proposal to accept
    ]
    assert sorted(Dossier.objects.filter(holder=karim).values_list("state", flat=True)) == [
        DossierState.IN_TRAINING,
        DossierState.NOT_PROCESSED,  # a request the provider must answer
        DossierState.SERVICE_DONE_VALIDATED,
    ]
    pending = Dossier.objects.get(state=DossierState.NOT_PROCESSED)
    assert pending.deadline_on is not None and pending.deadline_on >= clock.today()
    balance = balances(nir_hash=camille.nir_hash)
    assert balance.rights_cents > 0 and balance.topup_cents > 0 and dict(balance.earmarked)[story.ENGLISH] > 0
    assert len(statement(nir_hash=camille.nir_hash)) >= 6

    provider = Dossier.objects.get(pk=pending.pk).provider
    assert ProviderBankAccount.objects.filter(provider=provider, status=BankAccountStatus.ACTIVE).count() == 1
    run = PaymentRun.objects.get()
    assert run.state == PaymentRunState.CONFIRMED
    assert PaymentItem.objects.filter(run=run).count() == 2
    assert Rating.objects.filter(comment_status=CommentStatus.PUBLISHED).count() == 1
    assert Rating.objects.filter(comment_status=CommentStatus.PENDING).count() == 1
    assert Alert.objects.filter(status=AlertStatus.NEW).exists()
    assert Ticket.objects.count() == 2

    assert ledger_verify() == []
    call_command("verify_ledger")
    call_command("reconcile")  # SystemExit(1) on any difference
    assert "aucun écart" in capsys.readouterr().out

    counts = (Dossier.objects.count(), Entry.objects.count(), PaymentRun.objects.count(), Alert.objects.count())
    demo.load()
    assert (Dossier.objects.count(), Entry.objects.count(), PaymentRun.objects.count(), Alert.objects.count()) == counts


def test_every_portal_shows_the_demo_story(client):
    """Log in as the demo people and open the pages the story fills: nothing is empty, nothing fails."""
    demo.load()
    pending = Dossier.objects.get(state=DossierState.NOT_PROCESSED)
    held = Rating.objects.get(comment_status=CommentStatus.PENDING)
    camille = User.objects.get(email=demo.DEMO_HOLDERS[0].email)
    staff = User.objects.get(email=demo.DEMO_PROVIDER_STAFF[0])
    advice = PaymentItem.objects.select_related("line").first().line

    def page(url: str, *texts: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for text in texts:
            assert text in body, (url, text)

    client.force_login(camille)
    page("/mon-compte/", "Camille")
    page("/mon-compte/droits/", "fléché")
    page("/mon-compte/dossiers/", *Dossier.objects.filter(holder__user=camille).values_list("number", flat=True))
    page("/mon-compte/demandes/", "Attestation de fin de formation")
    client.force_login(staff)
    page("/organisme/dossiers/", pending.number)
    page("/organisme/paiements/")
    page(f"/organisme/paiements/{advice.pk}/avis/", advice.end_to_end_id)
    page("/organisme/coordonnees-bancaires/", "Compte en vigueur")
    page("/organisme/avis/", story.PUBLISHED_COMMENT.split(",")[0])
    for role, url, text in (
        ("support", "/gestion/demandes/", "Délai de paiement"),
        ("case_manager", "/gestion/avis/moderation/", held.comment[:20]),
        ("fraud_analyst", "/gestion/alertes/", "Gestion du stress"),
        ("payment_officer", "/gestion/paiements/campagnes/", PaymentRun.objects.get().reference),
    ):
        login_agent(client, User.objects.get(email=demo.agent_for(role)))
        page(url, text)


def test_story_keeps_a_frozen_callers_clock_and_balances_on_another_day(frozen_clock):
    """Loaded on 2 March 2026 (fewer years of parameters behind it): the caller's clock is restored, the books balance."""
    before = clock.now()
    demo.load()
    assert clock.now() == before
    assert (
        Dossier.objects.filter(state=DossierState.SERVICE_DONE_VALIDATED, billing_state=BillingState.PAID).count() == 2
    )
    assert ledger_verify() == []
    call_command("reconcile")
