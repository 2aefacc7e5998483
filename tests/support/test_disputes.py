"""Disputes: opening, exchanges with files and deadlines, agents' decisions (refund, hold, cancel, close)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier, Message
from opencpf.payments.models import PaymentHold, ProviderRecovery
from opencpf.rights.exceptions import RefundInvalid
from opencpf.rights.selectors import ledger_verify
from opencpf.support import disputes
from opencpf.support.exceptions import (
    DisputeAlreadyOpen,
    DisputeExchangeOver,
    DisputeForbidden,
    DisputeNotAllowed,
    InvalidAttachment,
)
from opencpf.support.models import Dispute, DisputeEvent, DisputeMessage, DisputeStatus
from tests.enrolment.conftest import rights_balance
from tests.support.conftest import make_role_agent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "attestation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_holder_opens_a_dispute_with_a_file_and_both_sides_are_told(
    in_training, buyer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = disputes.dispute_open(
            actor=buyer.user,
            dossier_number=in_training.number,
            reason="not_delivered",
            body="La formation n'a jamais commencé, personne n'est venu.",
            upload=pdf(),
        )
    assert dispute.reference.startswith("LT-") and dispute.status == DisputeStatus.OPEN
    # Wednesday 15 April 2026 + 10 business days (no holiday in between) = Wednesday 29 April.
    assert dispute.exchange_until == dt.date(2026, 4, 29)
    message = DisputeMessage.objects.get(dispute=dispute)
    assert message.attachment_type == "application/pdf" and message.attachment.name.endswith(".pdf")
    assert DisputeEvent.objects.filter(dispute=dispute, action="opened").exists()
    assert AuditEvent.objects.filter(action="support.dispute.opened", object_id=str(dispute.pk)).exists()
    subjects = [m.subject for m in mail.outbox]
    assert any(dispute.reference in s for s in subjects)
    assert Message.objects.filter(recipient=staff, subject__contains=dispute.reference).exists()
    assert Message.objects.filter(recipient=buyer.user, subject__contains=dispute.reference).exists()


def test_a_file_is_checked_by_its_content_not_its_name(in_training, buyer):
    fake = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidAttachment):
        disputes.dispute_open(
            actor=buyer.user,
            dossier_number=in_training.number,
            reason="other",
            body="Texte assez long ici.",
            upload=fake,
        )
    big = SimpleUploadedFile("scan.png", PNG + b"\x00" * disputes.MAX_ATTACHMENT_BYTES, content_type="image/png")
    with pytest.raises(InvalidAttachment):
        disputes.dispute_open(
            actor=buyer.user,
            dossier_number=in_training.number,
            reason="other",
            body="Texte assez long ici.",
            upload=big,
        )
    assert not Dispute.objects.exists() and not DisputeMessage.objects.exists()


def test_one_open_dispute_per_dossier_and_only_its_parties(in_training, buyer, other_staff):
    disputes.dispute_open(actor=buyer.user, dossier_number=in_training.number, reason="quality", body="Très décevant.")
    with pytest.raises(DisputeAlreadyOpen):
        disputes.dispute_open(actor=buyer.user, dossier_number=in_training.number, reason="other", body="Encore moi.")
    with pytest.raises(DisputeForbidden):
        disputes.dispute_open(actor=other_staff, dossier_number=in_training.number, reason="other", body="Pas à moi.")
    assert Dispute.objects.count() == 1


def test_no_dispute_on_a_mere_request(buyer, session):
    from opencpf.enrolment import services

    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    with pytest.raises(DisputeNotAllowed):
        disputes.dispute_open(actor=buyer.user, dossier_number=dossier.number, reason="other", body="Pourquoi pas ?")
    assert not Dispute.objects.exists()


def test_exchange_closes_at_the_deadline_for_parties_not_for_agents(in_training, buyer, staff, agent):
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="quality", body="Formateur absent."
    )
    disputes.dispute_post_message(
        dispute_id=dispute.pk, actor=staff, body="Voici la feuille d'émargement.", upload=pdf()
    )
    clock.freeze(dt.datetime(2026, 4, 30, 9, 0))
    with pytest.raises(DisputeExchangeOver):
        disputes.dispute_post_message(dispute_id=dispute.pk, actor=buyer.user, body="Trop tard ?")
    disputes.dispute_post_message(dispute_id=dispute.pk, actor=agent, body="Nous examinons les pièces.")
    assert list(DisputeMessage.objects.filter(dispute=dispute).values_list("side", flat=True)) == [
        "holder",
        "provider",
        "agent",
    ]


def test_agent_holds_refunds_and_closes(in_training, buyer, agent, django_capture_on_commit_callbacks):
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="not_delivered", body="Aucune séance réalisée."
    )
    assert rights_balance(buyer) == 0
    disputes.dispute_decide(dispute_id=dispute.pk, agent=agent, action="hold", note="Examen des pièces")
    hold = PaymentHold.objects.get(source="dispute", source_ref=dispute.reference)
    assert hold.dossier_id == in_training.pk and hold.active
    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_decide(
            dispute_id=dispute.pk, agent=agent, action="refund", note="Formation non réalisée", amount_cents=60_000
        )
    assert rights_balance(buyer) == 60_000
    recovery = ProviderRecovery.objects.get(source="dispute", source_ref=dispute.reference)
    assert recovery.amount_cents == 60_000 and recovery.provider_id == in_training.provider_id
    assert any("600,00" in m.body for m in mail.outbox)
    # More than what was debited (1 000 € captured, 600 € already refunded): refused, nothing moves.
    with pytest.raises(RefundInvalid):
        disputes.dispute_decide(dispute_id=dispute.pk, agent=agent, action="refund", note="Encore", amount_cents=50_000)
    assert rights_balance(buyer) == 60_000 and Dispute.objects.get(pk=dispute.pk).refunded_cents == 60_000
    disputes.dispute_decide(dispute_id=dispute.pk, agent=agent, action="close", note="Remboursement partiel accordé")
    hold.refresh_from_db()
    assert not hold.active and Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.CLOSED
    assert ledger_verify() == []
    actions = list(DisputeEvent.objects.filter(dispute=dispute).values_list("action", flat=True))
    assert actions == ["opened", "hold", "refund", "closed"]


def test_agent_cancels_an_accepted_dossier_through_enrolment(accepted_dossier, buyer, agent):
    dispute = disputes.dispute_open(
        actor=buyer.user,
        dossier_number=accepted_dossier.number,
        reason="cancellation",
        body="Session reportée sans cesse.",
    )
    disputes.dispute_decide(dispute_id=dispute.pk, agent=agent, action="cancel", note="Organisme défaillant")
    dossier = Dossier.objects.get(pk=accepted_dossier.pk)
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM and rights_balance(buyer) == 100_000
    assert dossier.transitions.last().reason.startswith(f"Litige {dispute.reference}")


def test_support_agents_may_not_decide(in_training, buyer):
    support = make_role_agent("support", "n1@operateur.fr")
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="other", body="Un souci sur le dossier."
    )
    with pytest.raises(DisputeForbidden):
        disputes.dispute_decide(
            dispute_id=dispute.pk, agent=support, action="refund", note="Je rembourse", amount_cents=1
        )
    assert rights_balance(buyer) == 0 and not PaymentHold.objects.exists()


def test_lapsed_exchanges_go_to_review_once(in_training, buyer):
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="quality", body="Contenu très différent."
    )
    assert disputes.disputes_end_exchanges(on=dispute.exchange_until) == 0
    assert disputes.disputes_end_exchanges(on=dispute.exchange_until + dt.timedelta(days=1)) == 1
    assert disputes.disputes_end_exchanges(on=dispute.exchange_until + dt.timedelta(days=2)) == 0
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.REVIEW
    assert DisputeEvent.objects.filter(dispute=dispute, action="review", actor__isnull=True).count() == 1


def test_the_same_refund_form_submitted_twice_refunds_once(in_training, buyer, agent):
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="not_delivered", body="Aucune séance réalisée."
    )
    for _ in range(2):
        disputes.dispute_decide(
            dispute_id=dispute.pk,
            agent=agent,
            action="refund",
            note="Formation non réalisée",
            amount_cents=20_000,
            decision_token="form-1",
        )
    assert rights_balance(buyer) == 20_000 and Dispute.objects.get(pk=dispute.pk).refunded_cents == 20_000
    assert ProviderRecovery.objects.filter(source_ref=dispute.reference).count() == 1
    # Another form (another token) is another decision.
    disputes.dispute_decide(
        dispute_id=dispute.pk,
        agent=agent,
        action="refund",
        note="Complément",
        amount_cents=5_000,
        decision_token="form-2",
    )
    assert rights_balance(buyer) == 25_000 and ledger_verify() == []
