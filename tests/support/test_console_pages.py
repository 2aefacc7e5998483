"""The agents' console through HTTP: audited search (POST only, no NIR stored or in a URL), the reason gate,
the masked identity and its audited display, role-dependent sections, adjustments and disputes pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencpf.core.models import AuditEvent
from opencpf.payments.models import PaymentHold
from opencpf.rights.models import Adjustment
from opencpf.rights.selectors import balances
from opencpf.support import selectors
from opencpf.support.models import Report
from opencpf.support.services import report_submit
from tests.conftest import login_agent
from tests.support.conftest import make_role_agent

pytestmark = pytest.mark.django_db
NIR = "1 85 05 78 006 084 91"  # the `holder` fixture's


def login(role: str, email: str) -> Client:
    client = Client()
    login_agent(client, make_role_agent(role, email))
    return client


def test_search_by_nir_is_audited_with_its_reason_and_never_stores_the_nir(holder):
    client = login("support", "n1@operateur.fr")
    assert "<form" in client.get("/gestion/console/").content.decode()
    refused = client.post("/gestion/console/", {"kind": "nir", "query": NIR, "reason": ""})
    assert refused.status_code == 400 and not AuditEvent.objects.filter(action="support.console.holder_search")
    found = client.post("/gestion/console/", {"kind": "nir", "query": NIR, "reason": "Appel du titulaire DA-1"})
    html = found.content.decode()
    assert found.status_code == 200 and f"/gestion/console/titulaires/{holder.pk}/" in html
    assert "Martin" not in html and "P. M" in html  # masked in the results
    assert NIR.replace(" ", "") not in html and NIR not in html  # the typed NIR is not written back
    event = AuditEvent.objects.get(action="support.console.holder_search")
    assert event.reason == "Appel du titulaire DA-1" and event.data == {"by": "nir", "results": [holder.pk]}
    compact = NIR.replace(" ", "")
    assert compact not in str(event.data) and compact[:13] not in event.reason
    by_name = client.post("/gestion/console/", {"kind": "name", "query": "martin paul", "reason": "Courrier reçu"})
    assert f"/gestion/console/titulaires/{holder.pk}/" in by_name.content.decode()


def test_holder_file_needs_a_reason_then_shows_masked_identity_and_an_audited_reveal(holder):
    client = login("support", "n1@operateur.fr")
    url = f"/gestion/console/titulaires/{holder.pk}/"
    gate = client.get(url).content.decode()
    assert "Motif de la consultation" in gate and "Solde" not in gate
    page = client.post(url, {"action": "reason", "reason": "Demande DA-26-0000001"}).content.decode()
    assert "Solde" in page and "Martin" not in page and holder.nir_masked in page
    assert AuditEvent.objects.filter(action="support.console.holder_viewed", object_id=str(holder.pk)).count() == 1
    shown = client.post(url, {"action": "show", "show_reason": "Demande DA-26-0000001"}).content.decode()
    assert "Martin" in shown
    assert AuditEvent.objects.filter(action="identity.holder.personal_data.read", object_id=str(holder.pk)).exists()


def test_payment_officer_sees_the_file_without_personal_sections(holder):
    client = login("payment_officer", "pay@operateur.fr")
    url = f"/gestion/console/titulaires/{holder.pk}/"
    page = client.post(url, {"action": "reason", "reason": "Contrôle d'un virement"}).content.decode()
    assert "Solde" in page and "Événements de sécurité" not in page and "Afficher l'identité complète" not in page
    assert client.post(url, {"action": "show"}).status_code == 403


def test_adjustment_two_person_rule_through_the_pages(holder):
    proposer = make_role_agent("case_manager", "a@operateur.fr")
    client = Client()
    login_agent(client, proposer)
    client.post(
        f"/gestion/console/titulaires/{holder.pk}/regularisation/",
        {"account_kind": "rights", "direction": "credit", "amount": "150,00", "reason": "Crédit 2024 manquant"},
    )
    adjustment = Adjustment.objects.get()
    assert adjustment.amount_cents == 15_000 and adjustment.status == "pending"
    client.post(f"/gestion/regularisations/{adjustment.pk}/decision/", {"decision": "approve"})
    assert Adjustment.objects.get().status == "pending" and balances(nir_hash=holder.nir_hash).rights_cents == 0
    other = login("administrator", "admin@operateur.fr")
    assert "Crédit 2024 manquant" in other.get("/gestion/regularisations/").content.decode()
    other.post(f"/gestion/regularisations/{adjustment.pk}/decision/", {"decision": "approve"})
    assert Adjustment.objects.get().status == "approved" and balances(nir_hash=holder.nir_hash).rights_cents == 15_000
    approved = other.get("/gestion/regularisations/?etat=approved").content.decode()
    assert "Approuvée" in approved and "a@operateur.fr" in approved


def test_provider_file_shows_reports_and_sections_by_role(in_training):
    provider = in_training.provider
    report_submit(
        kind="suspicious_provider", description="Démarchage au nom de cet organisme.", provider_siret=provider.siret
    )
    assert Report.objects.get().provider_id == provider.pk
    controller = (
        login("controller", "c@operateur.fr").get(f"/gestion/console/organismes/{provider.pk}/").content.decode()
    )
    h2 = '<h2 class="fr-h4">{}</h2>'.format
    assert h2("Signalements des titulaires") in controller and Report.objects.get().reference in controller
    assert h2("Alertes") in controller and h2("Paiements") in controller and in_training.number in controller
    officer = (
        login("payment_officer", "p@operateur.fr").get(f"/gestion/console/organismes/{provider.pk}/").content.decode()
    )
    assert (
        h2("Paiements") in officer and h2("Signalements des titulaires") not in officer and h2("Alertes") not in officer
    )


def test_dispute_pages_for_holder_provider_and_agent(in_training, buyer, staff):
    holder = Client()
    holder.force_login(buyer.user)
    page = holder.get(f"/mon-compte/dossiers/{in_training.number}/").content.decode()
    assert f"/mon-compte/litiges/nouveau/?dossier={in_training.number}" in page
    response = holder.post(
        "/mon-compte/litiges/nouveau/",
        {
            "dossier": in_training.number,
            "reason": "not_delivered",
            "body": "Personne n'est venu à la première séance.",
            "attachment": SimpleUploadedFile("preuve.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
        },
    )
    assert response.status_code == 302
    dispute = selectors.dispute_for(buyer.user, response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert dispute is not None
    message = dispute.messages.get()
    file_url = f"/mon-compte/litiges/{dispute.reference}/pieces/{message.pk}/"
    download = holder.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    provider = Client()
    provider.force_login(staff)
    page = provider.get(f"/organisme/litiges/{dispute.reference}/").content.decode()
    assert "première séance" in page
    assert provider.get(f"/organisme/litiges/{dispute.reference}/pieces/{message.pk}/").status_code == 200
    agent = login("case_manager", "cm@operateur.fr")
    agent.post(
        f"/gestion/litiges/{dispute.reference}/", {"form": "decision", "action": "hold", "note": "Examen en cours"}
    )
    assert PaymentHold.objects.filter(source="dispute", source_ref=dispute.reference, lifted_at__isnull=True).exists()
    support = login("support", "s@operateur.fr")
    assert support.get(f"/gestion/litiges/{dispute.reference}/").status_code == 200
    refused = support.post(
        f"/gestion/litiges/{dispute.reference}/", {"form": "decision", "action": "release", "note": "Non"}
    )
    assert refused.status_code == 403
    assert PaymentHold.objects.filter(source="dispute", lifted_at__isnull=True).count() == 1


def test_holder_file_reads_do_not_grow_with_the_number_of_dossiers(in_training, buyer, staff, session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opencpf.enrolment import services
    from opencpf.support.console import holder_file
    from tests.enrolment.conftest import make_session

    agent = make_role_agent("administrator", "adm@operateur.fr")
    agent.get_all_permissions()  # the permission cache is filled once per request
    with CaptureQueriesContext(connection) as one:
        holder_file(holder_id=buyer.pk, user=agent)
    for _ in range(3):
        later = make_session(in_training.provider, start=dt.date(2026, 6, 15))
        services.dossier_request(actor=buyer.user, session_id=later.pk)
    with CaptureQueriesContext(connection) as four:
        data = holder_file(holder_id=buyer.pk, user=agent)
    assert len(data.dossiers) == 4 and len(four) == len(one)
