"""Disputes on a dossier: a holder or a provider opens one, both sides exchange messages and files within the
exchange deadline, an agent decides (refund rights, cancel the dossier, hold or release the provider's
payment, close). Every step is logged (DisputeEvent + audit) and notified (email + in-app message)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.calendar import add_business_days
from opencpf.core.money import format_eur
from opencpf.core.params import param
from opencpf.core.uploads import InvalidUpload, check_document
from opencpf.enrolment import services as enrolment_services
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.enrolment.models import Dossier
from opencpf.enrolment.notifications import Note, deliver
from opencpf.identity.models import ProviderMembership, UserKind
from opencpf.payments.holds import lift_holds, place_hold
from opencpf.payments.models import HoldSource, ProviderRecovery
from opencpf.rights.adjustments import dispute_refund
from opencpf.rights.models import LedgerTransaction
from opencpf.support.exceptions import (
    DisputeAlreadyOpen,
    DisputeClosed,
    DisputeExchangeOver,
    DisputeForbidden,
    DisputeInvalid,
    DisputeNotAllowed,
    InvalidAttachment,
)
from opencpf.support.models import (
    Dispute,
    DisputeAction,
    DisputeEvent,
    DisputeMessage,
    DisputeReason,
    DisputeSide,
    DisputeStatus,
)

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Nothing to dispute before the holder has accepted: the request is withdrawn or refused instead.
NOT_DISPUTABLE = (DossierState.NOT_PROCESSED, DossierState.VALIDATED)
AGENT_ACTIONS = ("refund", "cancel", "hold", "release", "review", "close")


def sniff(upload: Any) -> tuple[str, str]:
    """(content type, extension) from the file's first bytes; InvalidAttachment for anything else or too big."""
    try:
        return check_document(upload, max_bytes=MAX_ATTACHMENT_BYTES)
    except InvalidUpload as exc:
        raise InvalidAttachment(exc.message) from exc


def side_of(actor: Any, dossier: Dossier) -> str:
    kind = getattr(actor, "kind", None)
    if kind == UserKind.HOLDER and dossier.holder.user_id == actor.pk:
        return DisputeSide.HOLDER
    if (
        kind == UserKind.PROVIDER
        and ProviderMembership.objects.filter(user_id=actor.pk, provider_id=dossier.provider_id).exists()
    ):
        return DisputeSide.PROVIDER
    if kind == UserKind.AGENT and actor.has_perm("support.view_dispute"):
        return DisputeSide.AGENT
    raise DisputeForbidden()


def _log(dispute: Dispute, *, actor: Any, action: str, note: str = "", data: dict | None = None) -> None:
    DisputeEvent.objects.create(
        dispute=dispute, at=clock.now(), actor=actor, action=action, note=note[:500], data=data or {}
    )
    audit_record(action=f"support.dispute.{action}", actor=actor, obj=dispute, reason=note, data=data)


def _notify(dispute: Dispute, subject: str, body: str, *, holder: bool = True, provider: bool = True) -> None:
    """In-app message to each side, recorded with the dispute's step; the emails go out once it commits
    (the enrolment messages' mechanism)."""
    note = Note(f"Litige {dispute.reference} (dossier {dispute.dossier.number}) : {subject}", body)
    deliver(dispute.dossier_id, note if holder else None, note if provider else None)


def _attach(message: DisputeMessage, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    content_type, ext = sniff(upload)
    message.attachment_name = (getattr(upload, "name", "") or f"piece.{ext}")[:200]
    message.attachment_type = content_type
    message.attachment_size = int(upload.size or 0)
    message.attachment.save(f"{message.pk}.{ext}", upload, save=False)
    message.save(update_fields=["attachment", "attachment_name", "attachment_type", "attachment_size"])


@transaction.atomic
def dispute_open(
    *, actor: Any, dossier_number: str, reason: str, body: str, upload: UploadedFile | None = None
) -> Dispute:
    from opencpf.enrolment.selectors import dossier_for

    try:
        dossier = dossier_for(actor, number=dossier_number)
    except DossierNotFound as exc:
        raise DisputeForbidden("Ce dossier est introuvable.") from exc
    side = side_of(actor, dossier)
    if side == DisputeSide.AGENT:
        raise DisputeForbidden("Un litige est ouvert par le titulaire ou par l'organisme.")
    if reason not in DisputeReason.values:
        raise DisputeInvalid("Choisissez le motif du litige.")
    body = (body or "").strip()
    if len(body) < 10:
        raise DisputeInvalid("Décrivez le désaccord en quelques phrases.")
    if dossier.state in NOT_DISPUTABLE:
        raise DisputeNotAllowed()
    if upload is not None:
        sniff(upload)  # refuse before writing anything
    today = clock.today()
    now = clock.now()
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                reference=f"tmp-{now.timestamp()}-{actor.pk}"[:20],
                dossier=dossier,
                opened_by=actor,
                opened_by_side=side,
                reason=reason,
                exchange_until=add_business_days(today, param("dispute_exchange_business_days", on=today)),
                decide_by=add_business_days(today, param("dispute_decision_business_days", on=today)),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise DisputeAlreadyOpen() from exc
    dispute.reference = f"LT-{now:%y}-{dispute.pk:07d}"
    dispute.save(update_fields=["reference"])
    message = DisputeMessage.objects.create(dispute=dispute, author=actor, side=side, body=body, created_at=now)
    _attach(message, upload)
    _log(dispute, actor=actor, action=DisputeAction.OPENED, note=dispute.get_reason_display())
    other = "l'organisme" if side == DisputeSide.HOLDER else "le titulaire"
    _notify(
        dispute,
        "litige ouvert",
        f"Un litige a été ouvert par {'le titulaire' if side == DisputeSide.HOLDER else 'l’organisme'} "
        f"(motif : {dispute.get_reason_display()}). Action à faire pour {other} : répondez avec vos explications "
        f"et vos justificatifs au plus tard le {_d(dispute.exchange_until)}. Un gestionnaire décidera au plus tard "
        f"le {_d(dispute.decide_by)}.",
    )
    return dispute


def _d(day: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def _locked(dispute_id: int) -> Dispute:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("dossier__holder", "dossier__provider")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise DisputeForbidden("Ce litige est introuvable.")
    return dispute


@transaction.atomic
def dispute_post_message(
    *, dispute_id: int, actor: Any, body: str, upload: UploadedFile | None = None
) -> DisputeMessage:
    dispute = _locked(dispute_id)
    side = side_of(actor, dispute.dossier)
    if dispute.status == DisputeStatus.CLOSED:
        raise DisputeClosed()
    if side != DisputeSide.AGENT and (dispute.status != DisputeStatus.OPEN or clock.today() > dispute.exchange_until):
        raise DisputeExchangeOver()
    body = (body or "").strip()
    if not body:
        raise DisputeInvalid("Le message est vide.")
    if upload is not None:
        sniff(upload)
    now = clock.now()
    message = DisputeMessage.objects.create(dispute=dispute, author=actor, side=side, body=body, created_at=now)
    _attach(message, upload)
    dispute.updated_at = now
    dispute.save(update_fields=["updated_at"])
    _log(dispute, actor=actor, action=DisputeAction.MESSAGE, data={"side": side, "file": bool(upload)})
    label = {"holder": "Le titulaire", "provider": "L'organisme", "agent": "Un gestionnaire"}[side]
    _notify(
        dispute,
        "nouveau message",
        f"{label} a écrit dans le litige. Connectez-vous à votre espace pour le lire.",
        holder=side != DisputeSide.HOLDER,
        provider=side != DisputeSide.PROVIDER,
    )
    return message


def dispute_decide(
    *,
    dispute_id: int,
    agent: Any,
    action: str,
    note: str,
    amount_cents: int | None = None,
    decision_token: str = "",
) -> Dispute:
    """An agent's step on a dispute. `note` (the reason) is required and shown to both sides.

    A refund is keyed by `decision_token` when the caller gives one (one per displayed form): the same form
    submitted twice refunds once. Without it, the key is the amount refunded so far and the amount.
    """
    if getattr(agent, "kind", None) != UserKind.AGENT or not agent.has_perm("support.decide_dispute"):
        raise DisputeForbidden("Votre rôle ne permet pas de décider d'un litige.")
    if action not in AGENT_ACTIONS:
        raise DisputeInvalid("Choisissez une décision.")
    note = (note or "").strip()
    if len(note) < 5:
        raise DisputeInvalid("Indiquez le motif de la décision (au moins 5 caractères).")
    with transaction.atomic():
        dispute = _locked(dispute_id)
        if dispute.status == DisputeStatus.CLOSED:
            raise DisputeClosed()
        dossier = dispute.dossier
        ref = dispute.reference
        fields = ["updated_at"]
        if action == "refund":
            if not isinstance(amount_cents, int) or amount_cents <= 0:
                raise DisputeInvalid("Indiquez le montant à rembourser.")
            before = dispute.refunded_cents
            key = f"{ref}:t:{decision_token}" if decision_token else f"{ref}:{before}:{amount_cents}"
            if LedgerTransaction.objects.filter(idempotency_key=f"dispute_refund:{key}").exists():
                return dispute  # the same decision submitted again: already done
            dispute_refund(
                order_ref=dossier.reservation_ref or dossier.number,
                amount_cents=amount_cents,
                key=key,
                actor=agent,
                label=f"Remboursement après le litige {ref}, dossier {dossier.number}",
            )
            # The provider was (or will be) paid from the debited amount: recover the refund on its next payments.
            ProviderRecovery.objects.get_or_create(
                key=f"dispute:{key}",
                defaults={
                    "provider_id": dossier.provider_id,
                    "amount_cents": amount_cents,
                    "source": HoldSource.DISPUTE,
                    "source_ref": ref,
                    "dossier": dossier,
                    "reason": f"Remboursement au titulaire après le litige {ref}",
                    "created_by": agent,
                    "created_at": clock.now(),
                },
            )
            dispute.refunded_cents = before + amount_cents
            fields.append("refunded_cents")
            text = f"{format_eur(amount_cents)} de droits sont remboursés sur le compte du titulaire. Motif : {note}"
        elif action == "cancel":
            enrolment_services.dossier_agent_cancel(dossier_id=dossier.pk, actor=agent, reason=f"Litige {ref} : {note}")
            text = f"Le dossier est annulé ; les sommes réservées sont restituées. Motif : {note}"
        elif action == "hold":
            place_hold(source=HoldSource.DISPUTE, source_ref=ref, reason=note, by=agent, dossier=dossier)
            text = f"Le paiement de l'organisme pour ce dossier est suspendu pendant l'examen. Motif : {note}"
        elif action == "release":
            lift_holds(source=HoldSource.DISPUTE, source_ref=ref, by=agent, reason=note)
            text = f"Le paiement de l'organisme pour ce dossier n'est plus suspendu. Motif : {note}"
        elif action == "review":
            if dispute.status != DisputeStatus.OPEN:
                raise DisputeInvalid("Les échanges sont déjà clos.")
            dispute.status = DisputeStatus.REVIEW
            fields.append("status")
            text = f"Les échanges sont clos ; un gestionnaire examine le litige. Motif : {note}"
        else:
            lift_holds(source=HoldSource.DISPUTE, source_ref=ref, by=agent, reason=f"Litige clôturé : {note}")
            dispute.status = DisputeStatus.CLOSED
            dispute.closed_at = clock.now()
            dispute.outcome = note[:500]
            fields += ["status", "closed_at", "outcome"]
            text = f"Le litige est clôturé. Décision : {note}"
        if dispute.assigned_to_id is None:
            dispute.assigned_to = agent
            fields.append("assigned_to")
        dispute.updated_at = clock.now()
        dispute.save(update_fields=fields)
        _log(
            dispute,
            actor=agent,
            action={"close": DisputeAction.CLOSED}.get(action, action),
            note=note,
            data={"amount_cents": amount_cents} if action == "refund" else None,
        )
        _notify(dispute, DisputeAction(_action_value(action)).label.lower(), text)
        return dispute


def _action_value(action: str) -> str:
    return DisputeAction.CLOSED.value if action == "close" else action


def disputes_end_exchanges(*, on: dt.date | None = None) -> int:
    """Open disputes whose exchange deadline has passed go to review (an agent decides); both sides are told.
    Idempotent: a dispute already in review is left alone."""
    day = on or clock.today()
    moved = 0
    for dispute_id in Dispute.objects.filter(status=DisputeStatus.OPEN, exchange_until__lt=day).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            dispute = _locked(dispute_id)
            if dispute.status != DisputeStatus.OPEN:
                continue
            dispute.status = DisputeStatus.REVIEW
            dispute.updated_at = clock.now()
            dispute.save(update_fields=["status", "updated_at"])
            _log(dispute, actor=None, action=DisputeAction.REVIEW, note="Délai des échanges écoulé")
            _notify(
                dispute,
                "échanges clos",
                f"Le délai des échanges est passé. Un gestionnaire examine le litige et décidera au plus tard "
                f"le {_d(dispute.decide_by)}. Aucune action n'est attendue de votre part.",
            )
            moved += 1
    return moved
