"""Writes on dossiers. Every state change goes through `_transition`, which locks, checks the table, logs."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from opencpf.catalogue.models import ProviderStatus, Session
from opencpf.core import clock
from opencpf.core.money import percent_of
from opencpf.core.params import param, params_on
from opencpf.enrolment import deadlines, ports, transitions
from opencpf.enrolment.enums import (
    OPEN_STATES,
    BillingState,
    CancellationOutcome,
    ControlState,
    DeadlineKind,
    DossierState,
    Event,
    ExitReasonChoice,
    Who,
)
from opencpf.enrolment.exceptions import (
    ActorNotAllowed,
    ControlOpen,
    DeadlinePassed,
    DossierNotFound,
    InvalidExit,
    InvalidProposal,
    OfferNotAvailable,
    PurchaseNotAllowed,
    ReasonRequired,
    StartTooSoon,
    StrongAuthenticationRequired,
    TooEarly,
    TooManyOpenRequests,
    TransitionRefused,
)
from opencpf.enrolment.gateway import get_gateway
from opencpf.enrolment.models import Dossier, DossierTransition
from opencpf.enrolment.notifications import notify_reminder, notify_transition
from opencpf.enrolment.permissions import agent_may_cancel, agent_may_validate
from opencpf.identity.models import Holder, ProviderMembership, UserKind
from opencpf.payments.amounts import (
    FULL_BP,
    AttendanceRules,
    ExitReason,
    UnusedPolicy,
    amount_due,
    completion_bp,
)

Mutation = Callable[[Dossier, dt.date], list[str]]
logger = logging.getLogger(__name__)


def who_of(actor: Any, dossier: Dossier) -> str:
    """The role `actor` plays on this dossier; ActorNotAllowed when none."""
    if actor is None:
        return Who.SYSTEM
    kind = getattr(actor, "kind", None)
    if kind == UserKind.HOLDER and dossier.holder.user_id == actor.pk:
        return Who.HOLDER
    if (
        kind == UserKind.PROVIDER
        and ProviderMembership.objects.filter(user_id=actor.pk, provider_id=dossier.provider_id).exists()
    ):
        return Who.PROVIDER
    if kind == UserKind.AGENT:
        return Who.AGENT
    raise ActorNotAllowed()


def _locked(dossier_id: int) -> Dossier:
    try:
        return (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("holder__user", "provider", "training", "offer", "session")
            .get(pk=dossier_id)
        )
    except Dossier.DoesNotExist:
        raise DossierNotFound()


def _already_done(dossier: Dossier, event: str, actor: Any) -> bool:
    """A retried or double-clicked action: the last logged move is this event, by this actor."""
    last = dossier.transitions.order_by("-at", "-id").first()
    return (
        last is not None
        and last.event == event
        and last.to_state == dossier.state
        and last.actor_id == (actor.pk if actor is not None else None)
    )


def _log(dossier: Dossier, *, event: str, who: str, actor: Any, source: str, before: dict, reason: str) -> None:
    DossierTransition.objects.create(
        dossier=dossier,
        at=clock.now(),
        event=event,
        who=who,
        actor=actor,
        from_state=source,
        to_state=dossier.state,
        reason=reason[:500],
        before=before,
        after=dossier.snapshot(),
    )


def _transition(
    dossier_id: int, event: str, actor: Any, mutate: Mutation | None = None, *, reason: str = ""
) -> Dossier:
    """Lock, check the table, apply `mutate` (guards and money), save, log, notify after commit.

    Anything refused raises before a write, and the surrounding atomic block undoes partial work.
    """
    with transaction.atomic():
        dossier = _locked(dossier_id)
        who = who_of(actor, dossier)
        move = transitions.find(dossier.state, event)
        if move is None:
            if who != Who.SYSTEM and _already_done(dossier, event, actor):
                return dossier
            raise TransitionRefused(
                f"Action impossible : le dossier {dossier.number} est « {dossier.holder_label} ».",
                state=dossier.state,
                event=event,
            )
        if who not in move.who:
            raise ActorNotAllowed()
        before = dossier.snapshot()
        source = dossier.state
        changed = mutate(dossier, clock.today()) if mutate else []
        dossier.state = move.target
        dossier.version += 1
        dossier.save(update_fields=sorted({"state", "version", *changed}))
        _log(dossier, event=event, who=who, actor=actor, source=source, before=before, reason=reason)
        notify_transition(dossier, event)
        return dossier


def _close(dossier: Dossier, who: str, reason: str) -> list[str]:
    dossier.closed_at = clock.now()
    dossier.closed_by = who
    dossier.close_reason = reason[:500]
    dossier.deadline_kind = DeadlineKind.NONE
    dossier.deadline_on = None
    return ["closed_at", "closed_by", "close_reason", "deadline_kind", "deadline_on"]


def _refund_everything(dossier: Dossier) -> list[str]:
    """Full release of the reserved money and refund of the card part (provider or agent cancels, free cancel)."""
    fields = ["cancellation_outcome"]
    if dossier.reserved_cents or dossier.reservation_ref:
        dossier.released_cents = ports.release_for(dossier)
        fields.append("released_cents")
    fields += _refund_card(dossier)
    dossier.cancellation_outcome = (
        CancellationOutcome.FULL_RELEASE
        if dossier.reserved_cents or dossier.card_paid_cents
        else CancellationOutcome.NOTHING_RESERVED
    )
    return fields


def _refund_card(dossier: Dossier) -> list[str]:
    due = dossier.card_paid_cents - dossier.card_refunded_cents
    if due <= 0:
        return []
    get_gateway().refund(dossier=dossier, amount_cents=due, idempotency_key=f"dossier:{dossier.pk}:refund")
    dossier.card_refunded_cents += due
    return ["card_refunded_cents"]


# --- the holder's request -------------------------------------------------------------------------


def _new_number(on: dt.date) -> str:
    return f"{on:%y}{secrets.randbelow(10**10):010d}"


@transaction.atomic
def dossier_request(*, actor: Any, session_id: int, holder_message: str = "", client_token: str = "") -> Dossier:
    """A holder asks for a session of a published offer. The same client_token returns the same dossier."""
    if getattr(actor, "kind", None) != UserKind.HOLDER:
        raise ActorNotAllowed()
    holder = Holder.objects.select_for_update(of=("self",)).select_related("user").get(user_id=actor.pk)
    if client_token:
        existing = Dossier.objects.filter(holder=holder, client_token=client_token[:64]).first()
        if existing is not None:
            return existing
    session = Session.objects.select_related("offer__training__provider").filter(pk=session_id).first()
    today = clock.today()
    if (
        session is None
        or not session.is_recruiting
        or not session.offer.is_published
        or session.offer.training.provider.status != ProviderStatus.REFERENCED
        or session.start_date <= today
    ):
        raise OfferNotAvailable()
    offer = session.offer
    training = offer.training
    open_count = Dossier.objects.filter(holder=holder, training=training, state__in=OPEN_STATES).count()
    if open_count >= param("max_open_requests_per_training", on=today):
        raise TooManyOpenRequests()
    deadline = deadlines.provider_answer_deadline(today, has_prerequisites=training.has_prerequisites)
    dossier = Dossier(
        holder=holder,
        provider=training.provider,
        training=training,
        offer=offer,
        session=session,
        has_prerequisites=training.has_prerequisites,
        start_date=session.start_date,
        end_date=session.end_date,
        price_cents=offer.price_incl_tax_cents,
        holder_message=holder_message[:2000],
        deadline_kind=DeadlineKind.PROVIDER_ANSWER,
        deadline_on=deadline,
        requested_at=clock.now(),
        client_token=client_token[:64],
    )
    for _ in range(5):
        dossier.number = _new_number(today)
        try:
            with transaction.atomic():
                dossier.save()
            break
        except IntegrityError:
            if client_token and Dossier.objects.filter(holder=holder, client_token=dossier.client_token).exists():
                return Dossier.objects.get(holder=holder, client_token=dossier.client_token)
    else:  # pragma: no cover - ten-digit collisions five times in a row
        raise IntegrityError("could not allocate a dossier number")
    _log(dossier, event=Event.REQUEST, who=Who.HOLDER, actor=actor, source="", before={}, reason="")
    notify_transition(dossier, Event.REQUEST)
    return dossier


def dossier_withdraw(*, dossier_id: int, actor: Any, reason: str = "") -> Dossier:
    return _transition(dossier_id, Event.WITHDRAW, actor, lambda d, on: _close(d, Who.HOLDER, reason), reason=reason)


# --- the provider's answer ------------------------------------------------------------------------


def _within_deadline(dossier: Dossier, on: dt.date) -> None:
    if dossier.deadline_on is not None and on > dossier.deadline_on:
        raise DeadlinePassed()


def dossier_propose(
    *,
    dossier_id: int,
    actor: Any,
    session_id: int | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    price_cents: int | None = None,
    message: str = "",
) -> Dossier:
    """The provider proposes a session, price and dates; the start must be 11 business days away at least."""

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        _within_deadline(d, on)
        session = d.session
        if session_id is not None and session_id != d.session_id:
            found = Session.objects.filter(pk=session_id, offer_id=d.offer_id).first()
            if found is None:
                raise InvalidProposal("Cette session n'appartient pas à l'offre demandée.")
            session = found
        start = start_date or session.start_date
        end = end_date or session.end_date
        price = d.offer.price_incl_tax_cents if price_cents is None else price_cents
        if end < start:
            raise InvalidProposal("La date de fin précède la date de début.")
        if price <= 0 or price > d.offer.price_incl_tax_cents:
            raise InvalidProposal("Le prix proposé doit être positif et ne pas dépasser le prix publié de l'offre.")
        earliest = deadlines.earliest_start(on)
        if start < earliest:
            raise StartTooSoon(
                f"L'entrée en formation doit être au plus tôt le {earliest:%d/%m/%Y} "
                "(délai minimal en jours ouvrés après la proposition).",
                earliest=earliest.isoformat(),
            )
        d.session = session
        d.start_date, d.end_date, d.price_cents = start, end, price
        d.provider_message = message[:2000]
        d.answered_at = clock.now()
        d.deadline_kind = DeadlineKind.HOLDER_ACCEPTANCE
        d.deadline_on = deadlines.holder_acceptance_deadline(on)
        d.reminder_sent_for = None
        return [
            "session",
            "start_date",
            "end_date",
            "price_cents",
            "provider_message",
            "answered_at",
            "deadline_kind",
            "deadline_on",
            "reminder_sent_for",
        ]

    return _transition(dossier_id, Event.PROPOSE, actor, mutate)


def dossier_refuse(*, dossier_id: int, actor: Any, reason: str) -> Dossier:
    if not reason.strip():
        raise ReasonRequired()

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        d.answered_at = clock.now()
        return ["answered_at", *_close(d, Who.PROVIDER, reason)]

    return _transition(dossier_id, Event.REFUSE, actor, mutate, reason=reason)


# --- the holder's acceptance ----------------------------------------------------------------------


def dossier_accept(*, dossier_id: int, actor: Any, strong_session: bool) -> Dossier:
    """Accept the proposal: strong session, within 4 business days; rights reserved, the rest paid by card."""

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        if not strong_session:
            raise StrongAuthenticationRequired()
        allowed, why = ports.holder_can_purchase(d.holder)
        if not allowed:
            raise PurchaseNotAllowed(why or None)
        _within_deadline(d, on)
        if d.start_date <= on:
            raise DeadlinePassed("La session a déjà commencé.")
        split = ports.quote_for(holder=d.holder, training=d.training, price_cents=d.price_cents, on=on)
        d.rights_cents, d.topups_cents = split.rights_cents, split.topups_cents
        d.copayment_cents, d.rest_cents = split.copayment_cents, split.rest_cents
        reservation = ports.reserve_for(d, split)
        d.reservation_ref, d.reserved_cents = reservation.ref, reservation.amount_cents
        if d.rest_cents > 0:
            get_gateway().charge(dossier=d, amount_cents=d.rest_cents, idempotency_key=f"dossier:{d.pk}:charge")
            d.card_paid_cents = d.rest_cents
        d.accepted_at = clock.now()
        d.cooling_off_until = deadlines.cooling_off_until(on)
        d.deadline_kind = DeadlineKind.ENTRY_DECLARATION
        d.deadline_on = deadlines.entry_declaration_deadline(d.start_date)
        d.reminder_sent_for = None
        return [
            "rights_cents",
            "topups_cents",
            "copayment_cents",
            "rest_cents",
            "reservation_ref",
            "reserved_cents",
            "card_paid_cents",
            "accepted_at",
            "cooling_off_until",
            "deadline_kind",
            "deadline_on",
            "reminder_sent_for",
        ]

    return _transition(dossier_id, Event.ACCEPT, actor, mutate)


def dossier_decline(*, dossier_id: int, actor: Any, reason: str = "") -> Dossier:
    return _transition(dossier_id, Event.DECLINE, actor, lambda d, on: _close(d, Who.HOLDER, reason), reason=reason)


# --- cancellations --------------------------------------------------------------------------------


def dossier_holder_cancel(*, dossier_id: int, actor: Any, reason: str = "") -> Dossier:
    """Free within cooling-off and more than 7 days before start; otherwise rights lost and 5 % to the provider."""

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        fields = _close(d, Who.HOLDER, reason)
        if deadlines.is_free_cancellation(on=on, cooling_off_end=d.cooling_off_until, start_date=d.start_date):
            return fields + _refund_everything(d)
        bp = param("late_cancellation_compensation_bp", on=on)
        d.forfeited_cents, d.compensation_cents = ports.forfeit_for(d, bp)
        d.cancellation_outcome = CancellationOutcome.FORFEIT
        d.billing_state = BillingState.TO_BILL if d.compensation_cents else d.billing_state
        return fields + [
            "forfeited_cents",
            "compensation_cents",
            "cancellation_outcome",
            "billing_state",
            *_refund_card(d),
        ]

    return _transition(dossier_id, Event.HOLDER_CANCEL, actor, mutate, reason=reason)


def dossier_provider_cancel(*, dossier_id: int, actor: Any, reason: str) -> Dossier:
    if not reason.strip():
        raise ReasonRequired()
    return _transition(
        dossier_id,
        Event.PROVIDER_CANCEL,
        actor,
        lambda d, on: _close(d, Who.PROVIDER, reason) + _refund_everything(d),
        reason=reason,
    )


def dossier_agent_cancel(*, dossier_id: int, actor: Any, reason: str) -> Dossier:
    if not reason.strip():
        raise ReasonRequired()
    if not agent_may_cancel(actor):
        raise ActorNotAllowed("Votre rôle ne permet pas d'annuler un dossier.")
    return _transition(
        dossier_id,
        Event.AGENT_CANCEL,
        actor,
        lambda d, on: _close(d, Who.AGENT, reason) + _refund_everything(d),
        reason=reason,
    )


# --- entry into training --------------------------------------------------------------------------


def dossier_declare_entry(*, dossier_id: int, actor: Any) -> Dossier:
    """From the start date and within 3 business days; irreversible; captures the reserved money.

    Trainings longer than `advance_min_duration_months` get an advance of `advance_rate_bp` of the price
    (billing state depositWait: the payment runs pay it). The exit declaration deadline starts running.
    """

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        if on < d.start_date:
            raise TooEarly(f"L'entrée ne peut être déclarée qu'à partir du {d.start_date:%d/%m/%Y}.")
        last_day = deadlines.entry_declaration_deadline(d.start_date)
        if on > last_day:
            raise DeadlinePassed(
                f"L'entrée devait être déclarée au plus tard le {last_day:%d/%m/%Y} : le dossier est signalé aux gestionnaires."
            )
        d.captured_cents = ports.capture_for(d)
        d.entered_at = clock.now()
        d.deadline_kind = DeadlineKind.EXIT_DECLARATION
        d.deadline_on = deadlines.exit_declaration_deadline(d.end_date)
        d.reminder_sent_for = None
        if deadlines.is_long_training(d.start_date, d.end_date, on=on):
            d.advance_cents = percent_of(d.price_cents, param("advance_rate_bp", on=on))
            d.billing_state = BillingState.DEPOSIT_WAIT
        else:
            d.billing_state = BillingState.NOT_BILLABLE
        return [
            "captured_cents",
            "entered_at",
            "deadline_kind",
            "deadline_on",
            "reminder_sent_for",
            "advance_cents",
            "billing_state",
        ]

    return _transition(dossier_id, Event.DECLARE_ENTRY, actor, mutate)


# --- exit (service-done declaration) --------------------------------------------------------------


def _attendance_rules(on: dt.date) -> AttendanceRules:
    values = params_on(
        [
            "exit_low_attendance_threshold_bp",
            "exit_low_attendance_payment_bp",
            "exit_full_attendance_threshold_bp",
            "late_cancellation_compensation_bp",
        ],
        on=on,
    )
    return AttendanceRules(
        low_threshold_bp=values["exit_low_attendance_threshold_bp"],
        low_payment_bp=values["exit_low_attendance_payment_bp"],
        full_threshold_bp=values["exit_full_attendance_threshold_bp"],
        late_cancellation_bp=values["late_cancellation_compensation_bp"],
    )


def exit_attendance(
    dossier: Dossier, *, hours_attended: int | None, completion_rate_bp: int | None, reason: str
) -> tuple[int, ExitReason]:
    """Check a declared attendance and reason; returns (attendance in basis points, reason). InvalidExit else."""
    if (hours_attended is None) == (completion_rate_bp is None):
        raise InvalidExit("Indiquez soit le nombre d'heures suivies, soit le taux de réalisation.")
    if hours_attended is not None:
        total = dossier.offer.hours_total
        if hours_attended < 0 or total <= 0 or hours_attended > total:
            raise InvalidExit(f"Le nombre d'heures suivies doit être compris entre 0 et {total}.")
        attendance = completion_bp(hours_attended=hours_attended, hours_total=total)
    else:
        assert completion_rate_bp is not None
        if not 0 <= completion_rate_bp <= FULL_BP:
            raise InvalidExit("Le taux de réalisation doit être compris entre 0 et 100 %.")
        attendance = completion_rate_bp
    if attendance == FULL_BP:
        if reason not in ("", ExitReason.COMPLETED):
            raise InvalidExit("Une formation suivie à 100 % se déclare « formation suivie en totalité ».")
        return attendance, ExitReason.COMPLETED
    if reason not in (ExitReason.FORCE_MAJEURE, ExitReason.ABANDONMENT, ExitReason.PROVIDER_INTERRUPTION):
        raise InvalidExit(
            "Formation suivie en partie : indiquez le motif (force majeure, abandon ou absence du titulaire, "
            "interruption par l'organisme)."
        )
    return attendance, ExitReason(reason)


def exit_split(*, funded_cents: int, card_cents: int, due_cents: int) -> tuple[int, int]:
    """What pays the provider: the funded (captured) part first, then the holder's card payment, as the price was
    paid (rights, then top-ups, then the holder's own money). Returns (unused funded, unused card)."""
    from_funded = min(funded_cents, due_cents)
    from_card = min(card_cents, due_cents - from_funded)
    return funded_cents - from_funded, card_cents - from_card


def _refund_card_part(dossier: Dossier, amount_cents: int) -> list[str]:
    if amount_cents <= 0:
        return []
    get_gateway().refund(
        dossier=dossier, amount_cents=amount_cents, idempotency_key=f"dossier:{dossier.pk}:exit-refund"
    )
    dossier.card_refunded_cents += amount_cents
    return ["card_refunded_cents"]


def dossier_declare_exit(
    *,
    dossier_id: int,
    actor: Any,
    exit_date: dt.date,
    hours_attended: int | None = None,
    completion_rate_bp: int | None = None,
    reason: str = "",
) -> Dossier:
    """The provider declares exit = service done: exit date, hours attended or completion rate, and for a partial
    completion the reason. Computes what the provider is owed (`payments.amounts.amount_due`, dated rates) and
    settles the unused part in the same transaction: refunded to each payer (force majeure, interruption by the
    provider) or, after the holder's abandonment, rights lost and the card part credited on the holder's account.
    Allowed from the exit date; after `exit_declaration_business_days` the dossier is flagged but the
    declaration is still accepted (the holder's unused money must come back).
    """

    def mutate(d: Dossier, on: dt.date) -> list[str]:
        if exit_date < d.start_date or exit_date > d.end_date:
            raise InvalidExit(
                f"La date de sortie doit être comprise entre le {d.start_date:%d/%m/%Y} et le {d.end_date:%d/%m/%Y}."
            )
        if exit_date > on:
            raise TooEarly("La date de sortie ne peut pas être dans le futur.")
        attendance, exit_reason = exit_attendance(
            d, hours_attended=hours_attended, completion_rate_bp=completion_rate_bp, reason=reason
        )
        result = amount_due(
            price_cents=d.price_cents, reason=exit_reason, attendance_bp=attendance, rules=_attendance_rules(on)
        )
        unused_funded, unused_card = exit_split(
            funded_cents=d.captured_cents,
            card_cents=d.card_paid_cents - d.card_refunded_cents,
            due_cents=result.due_cents,
        )
        fields = ["exit_date", "hours_attended", "completion_rate_bp", "exit_reason", "exit_declared_at", "due_cents"]
        if result.unused_policy == UnusedPolicy.REFUND:
            d.released_cents += ports.give_back_for(d, unused_funded)
            fields += ["released_cents", *_refund_card_part(d, unused_card)]
        else:
            d.forfeited_cents += ports.forfeit_unused_for(d, unused_funded)
            d.card_credited_cents += ports.credit_card_part_for(d, unused_card)
            fields += ["forfeited_cents", "card_credited_cents"]
        d.exit_date = exit_date
        d.hours_attended = hours_attended
        d.completion_rate_bp = attendance
        d.exit_reason = exit_reason.value
        d.exit_declared_at = clock.now()
        d.due_cents = result.due_cents
        d.deadline_kind = DeadlineKind.SERVICE_VALIDATION
        d.deadline_on = deadlines.service_validation_deadline(on)
        d.reminder_sent_for = None
        return [*fields, "deadline_kind", "deadline_on", "reminder_sent_for"]

    return _transition(
        dossier_id, Event.DECLARE_EXIT, actor, mutate, reason=_exit_label(reason or ExitReason.COMPLETED)
    )


def _exit_label(reason: str) -> str:
    return dict(ExitReasonChoice.choices).get(reason, "")


# --- service done validated -----------------------------------------------------------------------


def control_open(dossier: Dossier) -> bool:
    """A control is open on the dossier (control state inControl, or an active payment hold on it or its provider)."""
    return dossier.control_state == ControlState.IN_CONTROL or ports.payment_held(dossier)


def _validate(d: Dossier) -> list[str]:
    if control_open(d):
        raise ControlOpen()
    d.service_done_validated_at = clock.now()
    d.billing_state = BillingState.TO_BILL
    d.deadline_kind = DeadlineKind.NONE
    d.deadline_on = None
    return ["service_done_validated_at", "billing_state", "deadline_kind", "deadline_on"]


def dossier_confirm_service_done(*, dossier_id: int, actor: Any) -> Dossier:
    """The holder's rating confirms that the training took place: service done is validated at once, unless a
    control is open (ControlOpen; the automatic validation takes over once the control is released)."""
    return _transition(dossier_id, Event.HOLDER_CONFIRM, actor, lambda d, on: _validate(d))


def dossier_agent_validate(*, dossier_id: int, actor: Any, reason: str = "") -> Dossier:
    """An agent (permission enrolment.validate_service_done) validates service done; refused while in control."""
    if not agent_may_validate(actor):
        raise ActorNotAllowed("Votre rôle ne permet pas de valider le service fait.")
    return _transition(dossier_id, Event.AGENT_VALIDATE, actor, lambda d, on: _validate(d), reason=reason)


def validate_service_done(*, on: dt.date | None = None) -> dict[str, int]:
    """Validate every declared service done whose 5 business days are over, unless a control is open (those stay
    declared and are retried at each run). Idempotent; `expire_deadlines` does the same among other deadlines."""
    day = on or clock.today()
    counts = {"validated": 0, "blocked": 0}
    due = Dossier.objects.filter(
        state=DossierState.SERVICE_DONE_DECLARED, deadline_kind=DeadlineKind.SERVICE_VALIDATION, deadline_on__lt=day
    ).values_list("pk", flat=True)
    for pk in list(due.order_by("deadline_on", "pk")):
        if dossier_apply_deadline(dossier_id=pk, on=day):
            counts["validated"] += 1
        else:
            counts["blocked"] += 1
    return counts


# --- deadlines ------------------------------------------------------------------------------------

_ON_LAPSE: dict[tuple[str, str], str] = {
    (DeadlineKind.PROVIDER_ANSWER, DossierState.NOT_PROCESSED): Event.EXPIRE_ANSWER,
    (DeadlineKind.HOLDER_ACCEPTANCE, DossierState.VALIDATED): Event.EXPIRE_ACCEPTANCE,
    (DeadlineKind.ENTRY_DECLARATION, DossierState.ACCEPTED): Event.FLAG_MISSING_ENTRY,
    (DeadlineKind.EXIT_DECLARATION, DossierState.IN_TRAINING): Event.FLAG_MISSING_EXIT,
    (DeadlineKind.SERVICE_VALIDATION, DossierState.SERVICE_DONE_DECLARED): Event.AUTO_VALIDATE,
}
_LAPSE_REASONS: dict[str, str] = {
    Event.EXPIRE_ANSWER: "Pas de réponse de l'organisme dans le délai.",
    Event.EXPIRE_ACCEPTANCE: "Proposition non acceptée dans le délai.",
    Event.FLAG_MISSING_ENTRY: "Entrée en formation non déclarée dans le délai.",
    Event.FLAG_MISSING_EXIT: "Sortie de formation non déclarée dans le délai.",
    Event.AUTO_VALIDATE: "Pas d'évaluation du titulaire ni de contrôle dans le délai.",
}


def dossier_apply_deadline(*, dossier_id: int, on: dt.date) -> str | None:
    """Apply a lapsed deadline (deadline day over before `on`) once; returns the event applied, or None."""
    with transaction.atomic():
        dossier = _locked(dossier_id)
        if dossier.deadline_on is None or dossier.deadline_on >= on:
            return None
        event = _ON_LAPSE.get((dossier.deadline_kind, dossier.state))
        if event is None:
            return None
        reason = _LAPSE_REASONS[event]
        if event == Event.AUTO_VALIDATE and control_open(dossier):
            return None  # stays declared; retried at each run until the control is released

        def mutate(d: Dossier, _on: dt.date) -> list[str]:
            if event == Event.AUTO_VALIDATE:
                return _validate(d)
            if event in (Event.FLAG_MISSING_ENTRY, Event.FLAG_MISSING_EXIT):
                d.flagged_at = clock.now()
                d.flag_reason = reason
                d.deadline_kind = DeadlineKind.NONE
                d.deadline_on = None
                return ["flagged_at", "flag_reason", "deadline_kind", "deadline_on"]
            return _close(d, Who.SYSTEM, reason)

        _transition(dossier_id, event, None, mutate, reason=reason)
        return event


def dossier_send_reminder(*, dossier_id: int, on: dt.date) -> bool:
    """Remind the party who must act, on the business day before the deadline; once per deadline."""
    with transaction.atomic():
        dossier = _locked(dossier_id)
        due = dossier.deadline_on
        if due is None or not dossier.deadline_kind or dossier.reminder_sent_for == due:
            return False
        if not (deadlines.reminder_day(due) <= on <= due):
            return False
        dossier.reminder_sent_for = due
        dossier.save(update_fields=["reminder_sent_for"])
        notify_reminder(dossier)
        return True


def expire_deadlines(*, on: dt.date | None = None) -> dict[str, int]:
    """Apply every lapsed deadline and send due reminders. Safe to run any number of times, even concurrently."""
    from opencpf.core.calendar import add_business_days

    day = on or clock.today()
    counts: dict[str, int] = {"reminders": 0}
    lapsed = Dossier.objects.filter(deadline_on__lt=day).exclude(deadline_kind="").values_list("pk", flat=True)
    for pk in list(lapsed.order_by("deadline_on", "pk")):
        try:
            event = dossier_apply_deadline(dossier_id=pk, on=day)
        except Exception:  # one broken dossier must not stop the others; the next run retries it
            logger.exception("Deadline of dossier %s could not be applied", pk)
            counts["errors"] = counts.get("errors", 0) + 1
            continue
        if event:
            counts[str(event)] = counts.get(str(event), 0) + 1
    upcoming = (
        Dossier.objects.filter(deadline_on__gte=day, deadline_on__lte=add_business_days(day, 1))
        .exclude(deadline_kind="")
        .exclude(reminder_sent_for=F("deadline_on"))
        .values_list("pk", flat=True)
    )
    for pk in list(upcoming.order_by("deadline_on", "pk")):
        if dossier_send_reminder(dossier_id=pk, on=day):
            counts["reminders"] += 1
    return counts
