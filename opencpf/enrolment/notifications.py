"""Emails and in-app messages to the holder and the provider, scheduled after commit.

Every text is French, carries the dossier number and says what the recipient must do (or that nothing is expected).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils.formats import date_format

from opencpf.core import clock
from opencpf.core.money import format_eur
from opencpf.enrolment.enums import DeadlineKind, Event
from opencpf.enrolment.models import Dossier, Message
from opencpf.identity.models import ProviderMembership

logger = logging.getLogger(__name__)
NOTHING = "Aucune action n'est attendue de votre part."


@dataclass(frozen=True)
class Note:
    subject: str
    body: str


def _d(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else "—"


def _texts(dossier: Dossier, event: str) -> tuple[Note | None, Note | None]:
    """(to the holder, to the provider) for an event."""
    n = dossier.number
    title = dossier.training.title
    due = _d(dossier.deadline_on)
    if event == Event.REQUEST:
        return (
            Note(
                f"Dossier {n} : demande envoyée",
                f"Votre demande d'inscription à « {title} » a été envoyée à l'organisme, qui doit répondre "
                f"au plus tard le {due}. {NOTHING}",
            ),
            Note(
                f"Dossier {n} : nouvelle demande d'inscription",
                f"Une demande d'inscription à « {title} » vous attend. Action à faire : envoyez une proposition "
                f"ou refusez la demande au plus tard le {due}, sinon elle sera annulée automatiquement.",
            ),
        )
    if event == Event.PROPOSE:
        return (
            Note(
                f"Dossier {n} : proposition de l'organisme",
                f"L'organisme vous propose « {title} » du {_d(dossier.start_date)} au {_d(dossier.end_date)} pour "
                f"{format_eur(dossier.price_cents)}. Action à faire : acceptez ou refusez la proposition au plus tard "
                f"le {due}, sinon elle deviendra caduque.",
            ),
            Note(
                f"Dossier {n} : proposition envoyée", f"Votre proposition attend l'acceptation du titulaire. {NOTHING}"
            ),
        )
    if event == Event.ACCEPT:
        return (
            Note(
                f"Dossier {n} : inscription validée",
                f"Votre inscription est validée ; {format_eur(dossier.reserved_cents)} de droits sont réservés. "
                f"Vous pouvez annuler sans frais jusqu'au {_d(dossier.cooling_off_until)} (délai de rétractation), "
                f"si l'entrée en formation est à plus de 7 jours. {NOTHING}",
            ),
            Note(
                f"Dossier {n} : proposition acceptée",
                f"Le titulaire a accepté votre proposition. Action à faire : déclarez son entrée en formation "
                f"à partir du {_d(dossier.start_date)} et au plus tard le {due}.",
            ),
        )
    if event == Event.DECLARE_ENTRY:
        return (
            Note(f"Dossier {n} : entrée en formation", f"L'organisme a déclaré votre entrée en formation. {NOTHING}"),
            Note(f"Dossier {n} : entrée déclarée", f"L'entrée en formation est enregistrée. {NOTHING}"),
        )
    if event == Event.FLAG_MISSING_ENTRY:
        return (
            None,
            Note(
                f"Dossier {n} : entrée en formation non déclarée",
                "L'entrée en formation n'a pas été déclarée dans le délai. Le dossier est signalé aux gestionnaires. "
                "Action à faire : contactez le support pour régulariser le dossier.",
            ),
        )
    if event == Event.DECLARE_EXIT:
        money = ""
        if dossier.released_cents:
            money += f" {format_eur(dossier.released_cents)} de droits non utilisés vous sont restitués."
        if dossier.forfeited_cents:
            money += f" Les droits non utilisés ({format_eur(dossier.forfeited_cents)}) sont perdus."
        if dossier.card_credited_cents:
            money += f" {format_eur(dossier.card_credited_cents)} payés par carte sont crédités sur votre compte."
        if dossier.card_refunded_cents:
            money += f" {format_eur(dossier.card_refunded_cents)} sont remboursés sur votre carte."
        return (
            Note(
                f"Dossier {n} : fin de formation déclarée",
                f"L'organisme a déclaré votre sortie de « {title} ».{money} Action à faire : notez la formation "
                f"avant la fin du {due} ; votre évaluation confirme que la formation a eu lieu.",
            ),
            Note(
                f"Dossier {n} : service fait déclaré",
                f"Montant dû pour cette formation : {format_eur(dossier.due_cents)}. Le service fait sera validé par "
                f"l'évaluation du titulaire, ou automatiquement après le {due} sauf contrôle. {NOTHING}",
            ),
        )
    if event == Event.FLAG_MISSING_EXIT:
        return (
            None,
            Note(
                f"Dossier {n} : sortie de formation non déclarée",
                "La sortie de formation n'a pas été déclarée dans le délai. Le dossier est signalé aux gestionnaires. "
                "Action à faire : déclarez la sortie (service fait) sans attendre.",
            ),
        )
    if event in (Event.HOLDER_CONFIRM, Event.AUTO_VALIDATE, Event.AGENT_VALIDATE):
        return (
            Note(f"Dossier {n} : service fait validé", f"Le service fait de votre formation est validé. {NOTHING}"),
            Note(
                f"Dossier {n} : service fait validé",
                f"Le service fait est validé : {format_eur(dossier.due_cents)} vous seront versés dans un délai de "
                f"30 jours. {NOTHING}",
            ),
        )
    closing = {
        Event.REFUSE: "L'organisme a refusé la demande",
        Event.WITHDRAW: "Le titulaire a retiré sa demande",
        Event.DECLINE: "Le titulaire a refusé la proposition",
        Event.EXPIRE_ANSWER: "L'organisme n'a pas répondu dans le délai : la demande est annulée",
        Event.EXPIRE_ACCEPTANCE: "La proposition n'a pas été acceptée dans le délai : elle est caduque",
        Event.HOLDER_CANCEL: "Le titulaire a annulé son inscription",
        Event.PROVIDER_CANCEL: "L'organisme a annulé l'inscription",
        Event.AGENT_CANCEL: "Un gestionnaire a annulé le dossier",
    }.get(event)  # type: ignore[call-overload]
    if closing is None:
        return None, None
    reason = f" Motif : {dossier.close_reason}." if dossier.close_reason else ""
    money = ""
    if dossier.released_cents:
        money += f" {format_eur(dossier.released_cents)} de droits vous sont restitués."
    if dossier.forfeited_cents:
        money += f" Les droits réservés ({format_eur(dossier.forfeited_cents)}) sont perdus."
    if dossier.card_refunded_cents:
        money += f" {format_eur(dossier.card_refunded_cents)} sont remboursés sur votre carte."
    provider_money = (
        f" Un dédommagement de {format_eur(dossier.compensation_cents)} vous est dû."
        if dossier.compensation_cents
        else ""
    )
    return (
        Note(f"Dossier {n} : dossier clos", f"{closing}.{reason}{money} {NOTHING}"),
        Note(f"Dossier {n} : dossier clos", f"{closing}.{reason}{provider_money} {NOTHING}"),
    )


_REMINDERS = {
    DeadlineKind.PROVIDER_ANSWER: (
        "provider",
        "Action à faire : répondez à la demande (proposition ou refus) avant la fin du {due}, "
        "sinon elle sera annulée automatiquement.",
    ),
    DeadlineKind.HOLDER_ACCEPTANCE: (
        "holder",
        "Action à faire : acceptez ou refusez la proposition avant la fin du {due}, sinon elle deviendra caduque.",
    ),
    DeadlineKind.ENTRY_DECLARATION: (
        "provider",
        "Action à faire : déclarez l'entrée en formation avant la fin du {due}.",
    ),
    DeadlineKind.EXIT_DECLARATION: (
        "provider",
        "Action à faire : déclarez la sortie de formation (service fait) avant la fin du {due}.",
    ),
    DeadlineKind.SERVICE_VALIDATION: (
        "holder",
        "Action à faire : notez la formation avant la fin du {due} ; sans évaluation, le service fait sera validé "
        "automatiquement.",
    ),
}


def _provider_recipients(dossier: Dossier) -> tuple[list[str], list[int]]:
    members = list(
        ProviderMembership.objects.filter(provider_id=dossier.provider_id).values_list("user_id", "user__email")
    )
    emails = [dossier.provider.email] if dossier.provider.email else [e for _, e in members if e]
    return emails, [uid for uid, _ in members]


def deliver(dossier_id: int, holder_note: Note | None, provider_note: Note | None) -> None:
    """Record the in-app messages in the caller's transaction (they exist exactly when the transition does,
    even if the process dies right after the commit); the emails go out once it commits."""
    dossier = Dossier.objects.select_related("holder__user", "provider").get(pk=dossier_id)
    at = clock.now()
    mails: list[tuple[Note, list[str]]] = []
    if holder_note is not None:
        user = dossier.holder.user
        Message.objects.create(
            recipient=user, dossier=dossier, subject=holder_note.subject, body=holder_note.body, created_at=at
        )
        if user.email:
            mails.append((holder_note, [user.email]))
    if provider_note is not None:
        emails, user_ids = _provider_recipients(dossier)
        Message.objects.bulk_create(
            Message(
                recipient_id=uid, dossier=dossier, subject=provider_note.subject, body=provider_note.body, created_at=at
            )
            for uid in user_ids
        )
        if emails:
            mails.append((provider_note, emails))
    if mails:
        transaction.on_commit(lambda: _mail_all(mails))


def deliver_to_users(notes: Iterable[tuple[Note, Sequence[int], Sequence[str]]]) -> None:
    """Messages that belong to no dossier (a payment run, a control): each note is recorded as an in-app message
    for the users named, in the caller's transaction, and emailed to the addresses named once it commits."""
    at = clock.now()
    rows: list[Message] = []
    mails: list[tuple[Note, list[str]]] = []
    for note, user_ids, emails in notes:
        rows.extend(
            Message(recipient_id=uid, subject=note.subject[:200], body=note.body, created_at=at) for uid in user_ids
        )
        if emails:
            mails.append((note, list(emails)))
    Message.objects.bulk_create(rows, batch_size=1000)
    if mails:
        transaction.on_commit(lambda: _mail_all(mails))


def _mail_all(mails: list[tuple[Note, list[str]]]) -> None:
    """One connection to the relay for all the mails of a commit (a payment run writes to every provider paid)."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # each mail below tries again and logs its own failure
        logger.exception("Could not open the mail connection")
    try:
        for note, to in mails:
            _mail(note, to, connection)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Could not close the mail connection")


def _mail(note: Note, to: list[str], connection: Any = None) -> None:
    try:
        send_mail(note.subject, note.body, settings.DEFAULT_FROM_EMAIL, to, connection=connection)
    except Exception:  # a mail relay outage must not undo a committed transition
        logger.exception("Could not send enrolment email %r", note.subject)


def notify_transition(dossier: Dossier, event: str) -> None:
    """The messages of a transition: recorded with it, emailed only if the transaction commits."""
    holder_note, provider_note = _texts(dossier, event)
    if holder_note is None and provider_note is None:
        return
    deliver(dossier.pk, holder_note, provider_note)


def notify_reminder(dossier: Dossier) -> None:
    party, template = _REMINDERS[dossier.deadline_kind]  # type: ignore[index]
    note = Note(
        f"Dossier {dossier.number} : échéance le {_d(dossier.deadline_on)}",
        f"Rappel pour « {dossier.training.title} ». " + template.format(due=_d(dossier.deadline_on)),
    )
    if party == "holder":
        deliver(dossier.pk, note, None)
    else:
        deliver(dossier.pk, None, note)
