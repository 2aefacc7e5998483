"""Controls: opened by an agent, answered by the provider with proofs, decided by a controller; graded sanctions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencpf.catalogue.models import Offer
from opencpf.core.exceptions import PermissionDenied
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments.holds import holds_for
from opencpf.payments.models import PaymentHold, ProviderRecovery
from opencpf.trust.controls import control_answer, control_decide, control_open, sanction_apply
from opencpf.trust.exceptions import ControlClosed, InvalidProof
from opencpf.trust.models import Control, ControlProof, Sanction
from tests.conftest import login_agent
from tests.trust.conftest import agent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%fake attendance sheet\n"


@pytest.fixture
def dossier(buyer, session):
    return Dossier.objects.create(
        number="26CTL0001",
        holder=buyer,
        provider=session.offer.training.provider,
        training=session.offer.training,
        offer=session.offer,
        session=session,
        start_date=session.start_date,
        end_date=session.end_date,
        price_cents=150_000,
        requested_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
        state="serviceDoneDeclared",
    )


def test_a_control_on_dossiers_holds_their_payment_until_closed(
    controller, staff, dossier, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        control = control_open(
            provider_id=dossier.provider_id,
            agent=controller,
            reason="Pic de dossiers",
            proofs_requested="Feuilles d'émargement",
            dossier_ids=[dossier.pk],
        )
    dossier.refresh_from_db()
    assert dossier.control_state == "inControl"
    assert PaymentHold.objects.get(dossier=dossier).source == "control" and holds_for(dossier)
    assert control.deadline > dt.date(2026, 3, 2) and "Feuilles d'émargement" in mailoutbox[-1].body
    assert "of@example.org" in mailoutbox[-1].to

    with pytest.raises(InvalidProof):  # an executable renamed .pdf is refused, nothing saved
        control_answer(
            control_id=control.pk,
            user=staff,
            answer="",
            proofs=[("attendance", SimpleUploadedFile("emargement.pdf", b"MZ\x90\x00binary"))],
        )
    assert not ControlProof.objects.exists()
    control_answer(
        control_id=control.pk,
        user=staff,
        answer="Voici les feuilles.",
        proofs=[("attendance", SimpleUploadedFile("emargement.pdf", PDF))],
    )
    control.refresh_from_db()
    assert control.status == "answered" and control.proofs.get().content_type == "application/pdf"

    with django_capture_on_commit_callbacks(execute=True):
        control_decide(control_id=control.pk, agent=controller, outcome="compliant", reason="Émargements complets")
    dossier.refresh_from_db()
    assert dossier.control_state == "released" and not holds_for(dossier)
    assert "Conclusion : conforme" in mailoutbox[-1].body
    with pytest.raises(ControlClosed):
        control_answer(control_id=control.pk, user=staff, answer="encore", proofs=[])


def test_only_the_provider_answers_and_only_a_controller_decides(controller, staff, dossier):
    control = control_open(provider_id=dossier.provider_id, agent=controller, reason="x", proofs_requested="y")
    other = staff_user_create(email="autre@example.org", password=None, kind=UserKind.PROVIDER)
    with pytest.raises(PermissionDenied):
        control_answer(control_id=control.pk, user=other, answer="moi", proofs=[])
    analyst = agent("fraud_analyst", "fraude@operateur.fr")
    with pytest.raises(PermissionDenied):
        control_decide(control_id=control.pk, agent=analyst, outcome="non_compliant", reason="r")
    control.refresh_from_db()
    assert control.status == "awaiting" and not control.outcome


def test_graded_sanctions(controller, dossier, mailoutbox, django_capture_on_commit_callbacks):
    pid = dossier.provider_id
    sanction_apply(provider_id=pid, agent=controller, kind="observation", reason="Rappel à la règle")
    sanction_apply(provider_id=pid, agent=controller, kind="payment_suspension", reason="Dossiers fictifs")
    assert PaymentHold.objects.get(provider_id=pid, source="sanction").lifted_at is None
    sanction_apply(
        provider_id=pid, agent=controller, kind="unpublish_offers", reason="Durée fausse", offer_ids=[dossier.offer_id]
    )
    assert not Offer.objects.get(pk=dossier.offer_id).is_published
    with django_capture_on_commit_callbacks(execute=True):
        sanction_apply(
            provider_id=pid,
            agent=controller,
            kind="recovery",
            reason="Indu",
            amount_cents=150_000,
            dossier_id=dossier.pk,
        )
    assert ProviderRecovery.objects.get(provider_id=pid).amount_cents == 150_000
    assert "sera déduite" in mailoutbox[-1].body
    sanction_apply(provider_id=pid, agent=controller, kind="delist", reason="Fraude avérée")
    dossier.provider.refresh_from_db()
    assert dossier.provider.status == "delisted"
    assert Sanction.objects.count() == 5


def test_provider_portal_answer_and_backoffice_pages(client, controller, staff, dossier):
    control = control_open(
        provider_id=dossier.provider_id, agent=controller, reason="Vérification", proofs_requested="Attestations"
    )
    client.force_login(staff)
    assert control.reference in client.get("/organisme/controles/").content.decode()
    response = client.post(
        f"/organisme/controles/{control.reference}/",
        {"answer": "Ci-joint", "kind": "certificate", "proofs": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 302 and ControlProof.objects.count() == 1
    login_agent(client, controller)
    html = client.get(f"/gestion/controles/{control.pk}/").content.decode()
    assert "a.pdf" in html and "Clore le contrôle" in html
    proof = ControlProof.objects.get()
    assert client.get(f"/gestion/controles/{control.pk}/justificatifs/{proof.pk}/").status_code == 200
    response = client.post(
        f"/gestion/controles/{control.pk}/", {"form": "decide", "d-outcome": "non_compliant", "d-reason": "Absences"}
    )
    assert response.status_code == 302
    assert Control.objects.get(pk=control.pk).outcome == "non_compliant"
