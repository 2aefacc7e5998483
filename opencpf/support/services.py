"""Support tickets and holders' reports: writes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction

from opencpf.catalogue.models import Provider
from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.identity.models import UserKind
from opencpf.support.exceptions import InvalidSupportRequest, NotYourTicket, TicketClosed, TooManyReports
from opencpf.support.models import (
    Report,
    ReportKind,
    ReportStatus,
    Ticket,
    TicketCategory,
    TicketMessage,
    TicketPriority,
    TicketStatus,
)

# Words that suggest an account takeover or a scam in progress: such tickets go to the top of the queue.
URGENT_WORDS = re.compile(r"\b(escroc\w*|arnaqu\w*|pirat\w*|usurp\w*|vol(?:é|e|ée)?s?|fraud\w*|code reçu)\b", re.I)
REPORTS_PER_IP_PER_HOUR = 10


def _priority(category: str, text: str) -> int:
    if URGENT_WORDS.search(text):
        return TicketPriority.URGENT
    if category in (TicketCategory.PAYMENT, TicketCategory.ENROLMENT):
        return TicketPriority.HIGH
    return TicketPriority.NORMAL


def _email_on_commit(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=False))


@transaction.atomic
def ticket_open(*, author: Any, category: str, subject: str, body: str, dossier_reference: str = "") -> Ticket:
    subject, body = subject.strip(), body.strip()
    if category not in TicketCategory.values:
        raise InvalidSupportRequest("Choisissez le sujet de votre demande.")
    if not subject or not body:
        raise InvalidSupportRequest("Indiquez l'objet et le message de votre demande.")
    now = clock.now()
    ticket = Ticket.objects.create(
        number=f"tmp-{now.timestamp()}-{author.pk}"[:20],
        author=author,
        category=category,
        subject=subject[:200],
        dossier_reference=dossier_reference.strip()[:32],
        priority=_priority(category, f"{subject} {body}"),
        created_at=now,
        updated_at=now,
    )
    ticket.number = f"DA-{now:%y}-{ticket.pk:07d}"
    ticket.save(update_fields=["number"])
    TicketMessage.objects.create(ticket=ticket, author=author, body=body, created_at=now)
    _email_on_commit(
        author.email,
        f"Votre demande {ticket.number} a bien été reçue",
        f"Bonjour,\n\nNous avons bien reçu votre demande « {ticket.subject} » (n° {ticket.number}).\n"
        "Un conseiller vous répondra dans votre espace. Vous recevrez un courriel à chaque réponse.\n",
    )
    return ticket


@transaction.atomic
def ticket_reply(*, ticket_id: int, author: Any, body: str) -> TicketMessage:
    ticket = Ticket.objects.select_for_update().select_related("author").get(pk=ticket_id)
    from_agent = getattr(author, "kind", None) == UserKind.AGENT
    if not from_agent and ticket.author_id != author.pk:
        raise NotYourTicket()
    if ticket.status == TicketStatus.CLOSED:
        raise TicketClosed()
    if not body.strip():
        raise InvalidSupportRequest("Le message est vide.")
    now = clock.now()
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, from_agent=from_agent, body=body.strip(), created_at=now
    )
    ticket.status = TicketStatus.ANSWERED if from_agent else TicketStatus.WAITING_AGENT
    ticket.updated_at = now
    fields = ["status", "updated_at"]
    if from_agent and ticket.assigned_to_id is None:
        ticket.assigned_to = author
        fields.append("assigned_to")
    ticket.save(update_fields=fields)
    if from_agent:
        audit_record(action="support.ticket_answered", actor=author, obj=ticket)
        _email_on_commit(
            ticket.author.email,
            f"Réponse à votre demande {ticket.number}",
            f"Bonjour,\n\nUn conseiller a répondu à votre demande « {ticket.subject} » (n° {ticket.number}).\n"
            "Connectez-vous à votre espace pour lire la réponse et y répondre si besoin.\n",
        )
    return message


@transaction.atomic
def ticket_close(*, ticket_id: int, actor: Any) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if getattr(actor, "kind", None) != UserKind.AGENT and ticket.author_id != actor.pk:
        raise NotYourTicket()
    if ticket.status != TicketStatus.CLOSED:
        ticket.status, ticket.updated_at = TicketStatus.CLOSED, clock.now()
        ticket.save(update_fields=["status", "updated_at"])
    return ticket


@transaction.atomic
def report_submit(
    *,
    kind: str,
    description: str,
    reporter: Any = None,
    reporter_email: str = "",
    provider_siret: str = "",
    provider_name: str = "",
    caller_phone: str = "",
    dossier_reference: str = "",
    occurred_on: dt.date | None = None,
    ip: str | None = None,
) -> Report:
    if kind not in ReportKind.values:
        raise InvalidSupportRequest("Choisissez le motif du signalement.")
    if len(description.strip()) < 10:
        raise InvalidSupportRequest("Décrivez ce qui s'est passé en quelques phrases.")
    if occurred_on and occurred_on > clock.today():
        raise InvalidSupportRequest("La date des faits ne peut pas être dans le futur.")
    if ip:
        key = f"reports:ip:{ip}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > REPORTS_PER_IP_PER_HOUR:
            raise TooManyReports()
    provider = Provider.objects.filter(siret=re.sub(r"\D", "", provider_siret)).first() if provider_siret else None
    if reporter is not None and not getattr(reporter, "is_authenticated", False):
        reporter = None
    dossier_reference = re.sub(r"\s", "", dossier_reference or "")
    if dossier_reference and getattr(reporter, "kind", None) == UserKind.HOLDER:
        from opencpf.enrolment.models import Dossier

        # A signed-in holder links the report to one of their own dossiers (the trust signals rely on it).
        if not Dossier.objects.filter(number=dossier_reference, holder__user_id=reporter.pk).exists():
            raise InvalidSupportRequest("Ce numéro de dossier ne correspond à aucun de vos dossiers.")
    now = clock.now()
    report = Report.objects.create(
        reference=f"tmp-{now.timestamp()}"[:20],
        kind=kind,
        description=description.strip(),
        reporter=reporter,
        reporter_email=(reporter_email or (reporter.email if reporter else "")).strip()[:254],
        provider=provider,
        provider_name=(provider_name or (provider.name if provider else "")).strip()[:250],
        caller_phone=caller_phone.strip()[:20],
        dossier_reference=dossier_reference.strip()[:32],
        occurred_on=occurred_on,
        ip=ip,
        created_at=now,
    )
    report.reference = f"SG-{now:%y}-{report.pk:07d}"
    report.save(update_fields=["reference"])
    _email_on_commit(
        report.reporter_email,
        f"Signalement {report.reference} reçu",
        f"Bonjour,\n\nMerci pour votre signalement n° {report.reference}. Il sera examiné par nos équipes de contrôle.\n"
        f"Rappel : {settings.OPERATOR_NAME} ne vous appellera jamais pour vous demander vos identifiants ou un code.\n",
    )
    return report


@transaction.atomic
def report_triage(*, report_id: int, agent: Any, status: str, note: str, provider_id: int | None = None) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    if status not in ReportStatus.values or status == ReportStatus.NEW:
        raise InvalidSupportRequest("Choisissez une décision.")
    report.status, report.triage_note = status, note.strip()[:500]
    fields = ["status", "triage_note"]
    if provider_id:
        report.provider = Provider.objects.get(pk=provider_id)
        fields.append("provider")
    report.save(update_fields=fields)
    audit_record(action="support.report_triaged", actor=agent, obj=report, reason=note, data={"status": status})
    return report
