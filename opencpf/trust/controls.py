"""Controls of providers (two-sided: proofs asked with a deadline, the provider answers, a controller decides)
and graded sanctions. Entry points: `control_open`, `control_answer`, `control_decide`, `sanction_apply`, and the
daily `control_deadlines` (reminder before the deadline, "unanswered" after it).

A control on dossiers holds their payment (Dossier.control_state = inControl and a payments hold of source
"control"); closing the control releases them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.calendar import add_business_days
from opencpf.core.exceptions import PermissionDenied
from opencpf.core.money import format_eur
from opencpf.core.params import param
from opencpf.core.uploads import InvalidUpload, check_document
from opencpf.trust import ruleset
from opencpf.trust.exceptions import (
    ControlClosed,
    DecisionReasonRequired,
    InvalidProof,
    InvalidSanction,
    NothingToControl,
)
from opencpf.trust.models import (
    AlertEvent,
    Control,
    ControlOutcome,
    ControlProof,
    ControlScope,
    ControlStatus,
    ProofKind,
    Sanction,
    SanctionKind,
)

logger = logging.getLogger(__name__)
MAX_PROOF_BYTES = 10 * 1024 * 1024
MAX_PROOFS_PER_ANSWER = 10


def _require(user: Any, perm: str) -> None:
    if getattr(user, "kind", None) != "agent" or not user.has_perm(perm):
        raise PermissionDenied("Votre rôle ne permet pas cette action de contrôle.")


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DecisionReasonRequired()
    return text


def _provider_emails(provider: Any) -> list[str]:
    from opencpf.identity.models import ProviderMembership

    emails = {provider.email} if provider.email else set()
    emails |= set(
        ProviderMembership.objects.filter(provider=provider, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(e for e in emails if e)


def _mail_after_commit(subject: str, body: str, to: Sequence[str]) -> None:
    if not to:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(to))
        except Exception:  # a relay outage must not undo a committed decision
            logger.exception("Could not send control email %r", subject)

    transaction.on_commit(send)


def _hold_dossiers(control: Control, agent: Any) -> None:
    from opencpf.enrolment.models import Dossier
    from opencpf.payments.holds import place_hold

    dossiers = list(control.dossiers.all())
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(control_state="inControl")
    for d in dossiers:
        place_hold(
            source="control",
            source_ref=control.reference,
            reason=f"Contrôle {control.reference} : {control.reason}"[:500],
            by=agent,
            dossier=d,
        )


@transaction.atomic
def control_open(
    *,
    provider_id: int,
    agent: Any,
    reason: str,
    proofs_requested: str,
    dossier_ids: Iterable[int] = (),
    alert_id: int | None = None,
) -> Control:
    """Open a control on a provider (or on some of its dossiers' service done); ask for proofs by a deadline."""
    from opencpf.catalogue.models import Provider
    from opencpf.enrolment.models import Dossier

    _require(agent, "trust.add_control")
    reason, proofs_requested = _reason(reason), _reason(proofs_requested)
    provider = Provider.objects.get(pk=provider_id)
    ids = sorted(set(dossier_ids))
    dossiers = list(Dossier.objects.filter(pk__in=ids, provider_id=provider.pk)) if ids else []
    if ids and len(dossiers) != len(ids):
        raise NothingToControl()
    today = clock.today()
    days = int(ruleset.current(today)["control_answer_business_days"])
    control = Control.objects.create(
        reference=f"CTL-{today:%y}{secrets.randbelow(10**8):08d}",
        provider=provider,
        scope=ControlScope.DOSSIERS if dossiers else ControlScope.PROVIDER,
        alert_id=alert_id,
        reason=reason[:500],
        proofs_requested=proofs_requested,
        deadline=add_business_days(today, days),
        opened_by=agent,
        opened_at=clock.now(),
    )
    if dossiers:
        control.dossiers.set(dossiers)
        _hold_dossiers(control, agent)
    if alert_id:
        AlertEvent.objects.create(
            alert_id=alert_id, actor=agent, action="control_opened", reason=control.reference, at=clock.now()
        )
    audit_record(
        action="trust.control_opened",
        actor=agent,
        obj=control,
        reason=reason,
        data={"provider": provider.pk, "dossiers": [d.pk for d in dossiers]},
    )
    numbers = ", ".join(d.number for d in dossiers)
    _mail_after_commit(
        f"Contrôle {control.reference} : justificatifs demandés",
        f"Bonjour,\n\nL'opérateur ouvre un contrôle sur {provider.name}"
        + (f" (dossiers {numbers})" if numbers else "")
        + f".\nMotif : {reason}\n\nJustificatifs demandés :\n{proofs_requested}\n\n"
        f"Action à faire : déposez-les dans votre espace organisme, rubrique « Contrôles », au plus tard le "
        f"{control.deadline:%d/%m/%Y}."
        + (" Le paiement des dossiers contrôlés est suspendu jusqu'à la décision." if dossiers else ""),
        _provider_emails(provider),
    )
    return control


@transaction.atomic
def control_answer(*, control_id: int, user: Any, answer: str, proofs: Sequence[tuple[str, Any]]) -> Control:
    """The provider's answer: a text and proofs (PDF, JPEG or PNG, 10 MB each at most), before the decision."""
    from opencpf.identity.models import ProviderMembership

    control = Control.objects.select_for_update().select_related("provider", "opened_by").get(pk=control_id)
    if not ProviderMembership.objects.filter(user_id=user.pk, provider_id=control.provider_id).exists():
        raise PermissionDenied("Ce contrôle concerne un autre organisme.")
    if control.status == ControlStatus.CLOSED:
        raise ControlClosed()
    if not (answer or "").strip() and not proofs:
        raise InvalidProof("Joignez au moins un justificatif ou une réponse écrite.")
    if len(proofs) > MAX_PROOFS_PER_ANSWER:
        raise InvalidProof(f"{MAX_PROOFS_PER_ANSWER} fichiers au plus par envoi.")
    checked = []
    for kind, upload in proofs:
        if kind not in ProofKind.values:
            raise InvalidProof()
        try:
            content_type, _ext = check_document(upload, max_bytes=MAX_PROOF_BYTES)
        except InvalidUpload as exc:
            raise InvalidProof(f"Justificatif refusé : {exc.message[0].lower()}{exc.message[1:]}") from exc
        checked.append((kind, upload, content_type))
    now = clock.now()
    for kind, upload, content_type in checked:
        name = (getattr(upload, "name", "") or "justificatif").rsplit("/", 1)[-1][:200]
        proof = ControlProof(
            control=control,
            kind=kind,
            original_name=name,
            size=upload.size,
            content_type=content_type,
            uploaded_by=user,
            uploaded_at=now,
        )
        ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
        proof.file.save(f"{secrets.token_hex(8)}.{ext}", upload, save=False)
        proof.save()
    if (answer or "").strip():
        control.answer = (control.answer + "\n\n" if control.answer else "") + answer.strip()[:5000]
    control.status, control.answered_at = ControlStatus.ANSWERED, now
    control.save(update_fields=["answer", "status", "answered_at"])
    audit_record(action="trust.control_answered", actor=user, obj=control, data={"proofs": len(checked)})
    if control.opened_by.email:
        late = " après la date limite" if control.lapsed_at else ""
        _mail_after_commit(
            f"Contrôle {control.reference} : réponse de l'organisme",
            f"{control.provider.name} a répondu{late} au contrôle {control.reference} ({len(checked)} "
            "justificatif(s)). Action à faire : examinez la réponse et tranchez le contrôle.",
            [control.opened_by.email],
        )
    return control


@transaction.atomic
def control_decide(*, control_id: int, agent: Any, outcome: str, reason: str) -> Control:
    """The controller closes the control: compliant or not, with a reason. Held dossiers are released."""
    from opencpf.enrolment.models import Dossier
    from opencpf.payments.holds import lift_holds

    _require(agent, "trust.decide_control")
    reason = _reason(reason)
    if outcome not in ControlOutcome.values:
        raise InvalidSanction("Choisissez une conclusion.")
    control = Control.objects.select_for_update().select_related("provider").get(pk=control_id)
    if control.status == ControlStatus.CLOSED:
        raise ControlClosed()
    now = clock.now()
    control.status, control.outcome, control.decision_reason = ControlStatus.CLOSED, outcome, reason[:1000]
    control.decided_by, control.decided_at = agent, now
    control.save(update_fields=["status", "outcome", "decision_reason", "decided_by", "decided_at"])
    Dossier.objects.filter(pk__in=control.dossiers.values("pk"), control_state="inControl").update(
        control_state="released"
    )
    lift_holds(source="control", source_ref=control.reference, by=agent, reason=f"Contrôle clos : {reason}"[:500])
    audit_record(action="trust.control_decided", actor=agent, obj=control, reason=reason, data={"outcome": outcome})
    _mail_after_commit(
        f"Contrôle {control.reference} : décision",
        f"Bonjour,\n\nLe contrôle {control.reference} est clos. Conclusion : "
        f"{ControlOutcome(outcome).label.lower()}.\nMotif : {reason}\n\n"
        + ("Le paiement des dossiers contrôlés reprend. " if control.scope == ControlScope.DOSSIERS else "")
        + "Une éventuelle sanction vous est notifiée séparément.",
        _provider_emails(control.provider),
    )
    return control


@transaction.atomic
def sanction_apply(
    *,
    provider_id: int,
    agent: Any,
    kind: str,
    reason: str,
    control_id: int | None = None,
    offer_ids: Sequence[int] = (),
    amount_cents: int = 0,
    dossier_id: int | None = None,
) -> Sanction:
    """Record a graded sanction with its reason and apply it:
    observation (recorded and notified), payment suspension (provider-wide hold, source "sanction"), unpublishing
    of the named offers, delisting of the provider, recovery of a sum (offset by later payment runs)."""
    from opencpf.catalogue.models import Offer, Provider
    from opencpf.catalogue.services import offers_unpublish_where, provider_decide
    from opencpf.payments.holds import place_hold
    from opencpf.payments.models import ProviderRecovery

    _require(agent, "trust.decide_control")
    reason = _reason(reason)
    if kind not in SanctionKind.values:
        raise InvalidSanction()
    provider = Provider.objects.select_for_update().get(pk=provider_id)
    if control_id is not None and not Control.objects.filter(pk=control_id, provider=provider).exists():
        raise InvalidSanction("Ce contrôle concerne un autre organisme.")
    ids: list[int] = []
    if kind == SanctionKind.UNPUBLISH_OFFERS:
        ids = sorted(
            set(Offer.objects.filter(pk__in=offer_ids, training__provider=provider).values_list("pk", flat=True))
        )
        if not ids or len(ids) != len(set(offer_ids)):
            raise InvalidSanction("Choisissez des offres de cet organisme.")
    if kind == SanctionKind.RECOVERY and amount_cents <= 0:
        raise InvalidSanction("Indiquez le montant à récupérer.")
    if kind == SanctionKind.DELIST and provider.status not in ("referenced", "suspended"):
        raise InvalidSanction("Cet organisme n'est pas référencé.")
    sanction = Sanction.objects.create(
        provider=provider,
        control_id=control_id,
        kind=kind,
        reason=reason[:1000],
        amount_cents=amount_cents if kind == SanctionKind.RECOVERY else 0,
        offer_ids=ids,
        decided_by=agent,
        decided_at=clock.now(),
    )
    ref = f"sanction:{sanction.pk}"
    label = f"Sanction ({SanctionKind(kind).label.lower()}) : {reason}"[:500]
    if kind == SanctionKind.PAYMENT_SUSPENSION:
        place_hold(source="sanction", source_ref=ref, reason=label, by=agent, provider=provider)
    elif kind == SanctionKind.UNPUBLISH_OFFERS:
        offers_unpublish_where(offer_ids=ids, reason=label, actor=agent, source="trust")
    elif kind == SanctionKind.DELIST:
        provider_decide(provider=provider, event="delist", actor=agent, reason=label)
    elif kind == SanctionKind.RECOVERY:
        ProviderRecovery.objects.create(
            provider=provider,
            key=ref,
            amount_cents=amount_cents,
            source="sanction",
            source_ref=ref,
            dossier_id=dossier_id,
            reason=label,
            created_by=agent,
            created_at=clock.now(),
        )
    audit_record(
        action="trust.sanction_applied",
        actor=agent,
        obj=sanction,
        reason=reason,
        data={"kind": kind, "provider": provider.pk, "amount_cents": sanction.amount_cents, "offers": ids},
    )
    detail = {
        SanctionKind.OBSERVATION: "Une observation est inscrite à votre dossier.",
        SanctionKind.PAYMENT_SUSPENSION: "Vos paiements sont suspendus jusqu'à nouvel ordre.",
        SanctionKind.UNPUBLISH_OFFERS: f"{len(ids)} offre(s) sont retirées du catalogue.",
        SanctionKind.DELIST: "Votre organisme est déréférencé : vos offres sont retirées du catalogue.",
        SanctionKind.RECOVERY: f"La somme de {format_eur(amount_cents)} sera déduite de vos prochains paiements.",
    }[SanctionKind(kind)]
    _mail_after_commit(
        f"Sanction : {SanctionKind(kind).label.lower()}",
        f"Bonjour,\n\n{detail}\nMotif : {reason}\n\nVous pouvez contester cette décision auprès de l'opérateur "
        "dans un délai de deux mois.",
        _provider_emails(provider),
    )
    return sanction


def controls_overdue_count() -> int:
    """Controls whose deadline passed without an answer (lapsed by the daily job, or not yet)."""
    from django.db.models import Q

    return Control.objects.filter(
        Q(status=ControlStatus.UNANSWERED) | Q(status=ControlStatus.AWAITING, deadline__lt=clock.today())
    ).count()


def control_queue() -> Any:
    """The controllers' queue: unanswered after the deadline first (they wait for a decision), then answered
    (proofs to examine), then awaiting, then closed; nearest deadline first within each."""
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(
        When(status=ControlStatus.UNANSWERED, then=Value(0)),
        When(status=ControlStatus.ANSWERED, then=Value(1)),
        When(status=ControlStatus.AWAITING, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return Control.objects.select_related("provider").annotate(queue_rank=rank).order_by("queue_rank", "deadline", "id")


# --- deadlines (daily) -----------------------------------------------------------------------------------------

REMINDER_PARAM = "control_reminder_business_days"


@dataclass
class DeadlinesOutcome:
    reminded: list[str] = field(default_factory=list)
    lapsed: list[str] = field(default_factory=list)


def _members(provider_id: int) -> list[int]:
    from opencpf.identity.models import ProviderMembership

    return list(
        ProviderMembership.objects.filter(provider_id=provider_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def _remind(control_id: int) -> Control | None:
    """One reminder, in one transaction with its marker (`reminded_at`) and the in-app messages."""
    from opencpf.enrolment.notifications import Note, deliver_to_users

    control = (
        Control.objects.select_for_update()
        .select_related("provider")
        .filter(pk=control_id, status=ControlStatus.AWAITING, reminded_at__isnull=True)
        .first()
    )
    if control is None:  # answered, closed or reminded meanwhile
        return None
    control.reminded_at = clock.now()
    control.save(update_fields=["reminded_at"])
    day = f"{control.deadline:%d/%m/%Y}"
    note = Note(
        f"Contrôle {control.reference} : justificatifs attendus au plus tard le {day}",
        f"Bonjour,\n\nRappel : l'opérateur attend vos justificatifs pour le contrôle {control.reference}.\n"
        f"Motif : {control.reason}\n\nJustificatifs demandés :\n{control.proofs_requested}\n\n"
        f"Action à faire : déposez-les dans votre espace organisme, rubrique « Contrôles », au plus tard le {day}. "
        "Sans réponse à cette date, le contrôleur tranchera au vu des seuls éléments dont il dispose.",
    )
    deliver_to_users([(note, _members(control.provider_id), _provider_emails(control.provider))])
    audit_record(action="trust.control_reminded", obj=control, data={"deadline": control.deadline.isoformat()})
    return control


@transaction.atomic
def _lapse(control_id: int, today: dt.date) -> Control | None:
    """The deadline passed without an answer: the control waits for the controller's decision, first in the queue.
    One transaction: status, marker (`lapsed_at`), messages, audit."""
    from opencpf.enrolment.notifications import Note, deliver_to_users

    control = (
        Control.objects.select_for_update()
        .select_related("provider", "opened_by")
        .filter(pk=control_id, status=ControlStatus.AWAITING, deadline__lt=today)
        .first()
    )
    if control is None:
        return None
    now = clock.now()
    control.status, control.lapsed_at = ControlStatus.UNANSWERED, now
    control.save(update_fields=["status", "lapsed_at"])
    day = f"{control.deadline:%d/%m/%Y}"
    to_provider = Note(
        f"Contrôle {control.reference} : délai de réponse dépassé",
        f"Bonjour,\n\nLe délai pour répondre au contrôle {control.reference} a expiré le {day} sans justificatif "
        "de votre part. Le contrôleur va trancher le contrôle au vu des éléments dont il dispose.\n\n"
        "Action à faire : si vous avez des justificatifs, déposez-les sans attendre dans votre espace organisme, "
        "rubrique « Contrôles » ; ils restent recevables tant que la décision n'est pas prise.",
    )
    notes = [(to_provider, _members(control.provider_id), _provider_emails(control.provider))]
    if control.opened_by.email:
        to_controller = Note(
            f"Contrôle {control.reference} : sans réponse dans le délai",
            f"{control.provider.name} n'a pas répondu au contrôle {control.reference} (date limite : {day}). "
            "Action à faire : tranchez le contrôle ; il est en tête de la liste des contrôles.",
        )
        notes.append((to_controller, [], [control.opened_by.email]))
    deliver_to_users(notes)
    if control.alert_id:
        AlertEvent.objects.create(
            alert_id=control.alert_id, actor=None, action="control_unanswered", reason=control.reference, at=now
        )
    audit_record(action="trust.control_unanswered", obj=control, data={"deadline": control.deadline.isoformat()})
    return control


def control_deadlines(*, on: dt.date | None = None) -> DeadlinesOutcome:
    """The daily pass: remind the providers whose deadline is within `control_reminder_business_days` (once),
    and mark "unanswered" the controls whose deadline has passed. One transaction per control, each guarded by
    its own marker: killed anywhere, a rerun does what is left and nothing twice."""
    today = on or clock.today()
    horizon = add_business_days(today, param(REMINDER_PARAM, on=today))
    outcome = DeadlinesOutcome()
    due = Control.objects.filter(status=ControlStatus.AWAITING).order_by("deadline", "id")
    for pk in list(due.filter(deadline__lt=today).values_list("pk", flat=True)):
        if (lapsed := _lapse(pk, today)) is not None:
            outcome.lapsed.append(lapsed.reference)
    soon = due.filter(reminded_at__isnull=True, deadline__gte=today, deadline__lte=horizon)
    for pk in list(soon.values_list("pk", flat=True)):
        if (reminded := _remind(pk)) is not None:
            outcome.reminded.append(reminded.reference)
    return outcome
