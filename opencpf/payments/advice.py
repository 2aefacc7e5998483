"""Remittance advice: when the bank has executed a run, each provider paid is told what it received and why.

Written by `payment_run_confirm` in its own transaction (through `enrolment.notifications.deliver_to_users`):
the in-app messages exist exactly when the confirmation does, the emails leave once it commits, and a run is
confirmed once (a second confirmation returns early), so an advice is never sent twice. Dossier numbers,
training titles and amounts only: no holder's name, no NIR (and the text goes through the NIR mask anyway).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format

from opencpf.core.logging import redact
from opencpf.core.money import format_eur
from opencpf.enrolment.notifications import Note, deliver_to_users
from opencpf.identity.models import ProviderMembership, ProviderRole
from opencpf.payments.models import PaymentItem, PaymentItemKind, PaymentLine, PaymentRun, RecoveryDeduction

MAX_LISTED = 100  # dossiers listed in one email; the advice page lists them all


def _url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def advice_note(
    run: PaymentRun,
    line: PaymentLine,
    items: list[tuple[str, str, str, int]],
    deductions: list[tuple[str, int]],
) -> Note:
    """The email of one line. items: (dossier number, training title, kind label, amount); deductions: (reason,
    amount)."""
    day = date_format(run.execution_date, "j F Y")
    if line.amount_cents:
        wired = (
            f"La banque a exécuté la campagne de paiement {run.reference} : {format_eur(line.amount_cents)} ont été "
            f"virés le {day} sur votre compte {line.masked_iban} (référence du virement {line.end_to_end_id})."
        )
    else:
        wired = (
            f"La campagne de paiement {run.reference} est exécutée. Aucun virement ne vous est fait : les sommes "
            "dues ci-dessous sont entièrement compensées par des sommes à récupérer."
        )
    text = [
        "Bonjour,",
        "",
        wired,
        "",
        f"Dossiers payés ({len(items)}) :",
    ]
    text += [
        f"- Dossier {number} – {title} : {kind}, {format_eur(amount)}"
        for number, title, kind, amount in items[:MAX_LISTED]
    ]
    if len(items) > MAX_LISTED:
        text.append(f"- … et {len(items) - MAX_LISTED} autres montants, détaillés dans l'avis en ligne.")
    text += ["", f"Total des dossiers : {format_eur(line.gross_cents)}"]
    if deductions:
        text.append(f"Sommes récupérées (déduites de ce paiement) : {format_eur(line.recovered_cents)}")
        text += [f"- {reason} : {format_eur(amount)}" for reason, amount in deductions]
    text += [
        f"Montant viré : {format_eur(line.amount_cents)}",
        "",
        "Avis de paiement détaillé et imprimable : "
        + _url(reverse("provider:payment_advice", kwargs={"line_id": line.pk})),
        "Tous vos paiements : " + _url(reverse("provider:payments")),
        "",
        "Aucune action n'est attendue de votre part.",
    ]
    return Note(f"Avis de paiement {run.reference} : {format_eur(line.amount_cents)} virés", redact("\n".join(text)))


def _administrators(provider_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for provider_id, user_id, email in ProviderMembership.objects.filter(
        provider_id__in=provider_ids, role=ProviderRole.ADMINISTRATOR, user__is_active=True
    ).values_list("provider_id", "user_id", "user__email"):
        found[provider_id].append((user_id, email))
    return found


def notify_run_confirmed(run: PaymentRun) -> int:
    """Record and (after commit) email one remittance advice per line of the run the bank did not reject; returns
    the advices written.
    Three queries whatever the run's size, then one bulk insert of the in-app messages."""
    # A transfer the bank rejected paid nothing: its provider was told of the rejection instead.
    lines = list(
        PaymentLine.objects.filter(run=run, rejected_at__isnull=True).select_related("provider").order_by("id")
    )
    items: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
    for line_id, number, title, kind, amount in (
        PaymentItem.objects.filter(run=run, returned_at__isnull=True)
        .order_by("dossier__number", "kind")
        .values_list("line_id", "dossier__number", "dossier__training__title", "kind", "amount_cents")
    ):
        items[line_id].append((number, title, PaymentItemKind(kind).label.lower(), amount))
    deductions: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for line_id, reason, amount in (
        RecoveryDeduction.objects.filter(line__run=run)
        .order_by("id")
        .values_list("line_id", "recovery__reason", "amount_cents")
    ):
        deductions[line_id].append((reason, amount))
    admins = _administrators([line.provider_id for line in lines])
    notes = []
    for line in lines:
        members = admins.get(line.provider_id, [])
        emails = sorted({e for _, e in members if e}) or ([line.provider.email] if line.provider.email else [])
        note = advice_note(run, line, items[line.pk], deductions[line.pk])
        notes.append((note, [uid for uid, _ in members], emails))
    deliver_to_users(notes)
    return len(notes)
