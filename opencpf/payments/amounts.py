"""What a provider is owed for a dossier: one pure function, from the price, attendance and reason.

Rules (../shared/domain/cpf-rules.md, "Cancellation and no-show"):
- completed: 100 % of the price;
- holder's abandonment or absence: under 25 % -> 25 % of the price; 25 % to 80 % -> pro rata of hours;
  80 % or more -> 100 %; unused reserved rights are lost, and what the holder paid by card becomes a credit
  on the account;
- force majeure, or interruption by the provider: pro rata of hours, whatever the attendance (the 25 % and
  80 % thresholds are the no-show rule, which penalises the holder's abandonment only); the rest returns to
  each payer;
- holder's late cancellation before the start (after cooling-off or within 7 days): compensation of
  `late_cancellation_compensation_bp` (5 %) of the price; the rest of the reserved rights is lost;
- any advance already paid is deducted; a negative balance is a sum the provider owes back.
Rates come from the dated parameters; this module receives them as arguments and never reads the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from opencpf.core.money import percent_of

FULL_BP = 10_000


class ExitReason(enum.StrEnum):
    COMPLETED = "completed"
    FORCE_MAJEURE = "force_majeure"
    ABANDONMENT = "abandonment"  # abandonment or absence, the holder's doing
    PROVIDER_INTERRUPTION = "provider_interruption"
    LATE_CANCELLATION = "late_cancellation"  # cancelled by the holder before the start, too late to be free


class UnusedPolicy(enum.StrEnum):
    REFUND = "refund"  # the unused part returns to each payer (rights, top-ups, holder's card)
    FORFEIT = "forfeit"  # unused rights are lost; the holder's card part becomes a credit on the account


@dataclass(frozen=True)
class AttendanceRules:
    low_threshold_bp: int = 2_500  # under 25 %: 25 % of the price
    low_payment_bp: int = 2_500
    full_threshold_bp: int = 8_000  # abandonment with 80 % or more: 100 %
    late_cancellation_bp: int = 500  # 5 % compensation


@dataclass(frozen=True)
class AmountDue:
    price_cents: int
    due_cents: int  # what the service is worth to the provider
    advance_paid_cents: int
    payable_cents: int  # due - advance; negative: the provider owes it back (offset on later payments)
    unused_cents: int  # price - due
    unused_policy: UnusedPolicy
    rule: str  # French, for the provider's remittance advice and the holder's timeline


def completion_bp(*, hours_attended: int | None, hours_total: int, completion_rate_bp: int | None = None) -> int:
    """Attendance in basis points, from hours or from a declared rate, bounded to 0..10 000."""
    if completion_rate_bp is not None:
        return max(0, min(FULL_BP, completion_rate_bp))
    if hours_total <= 0 or hours_attended is None:
        raise ValueError("hours_total must be positive and hours_attended given when no rate is declared")
    return max(0, min(FULL_BP, hours_attended * FULL_BP // hours_total))


def amount_due(
    *,
    price_cents: int,
    reason: ExitReason,
    attendance_bp: int = FULL_BP,
    advance_paid_cents: int = 0,
    rules: AttendanceRules = AttendanceRules(),
) -> AmountDue:
    if price_cents < 0 or advance_paid_cents < 0:
        raise ValueError("amounts must be non-negative")
    if not 0 <= attendance_bp <= FULL_BP:
        raise ValueError("attendance_bp must be within 0..10 000")

    pro_rata = percent_of(price_cents, attendance_bp)
    if reason == ExitReason.LATE_CANCELLATION:
        due, policy, rule = (
            percent_of(price_cents, rules.late_cancellation_bp),
            UnusedPolicy.FORFEIT,
            (f"Annulation tardive : dédommagement de {rules.late_cancellation_bp / 100:g} % du prix"),
        )
    elif reason == ExitReason.COMPLETED or (
        reason == ExitReason.ABANDONMENT and attendance_bp >= rules.full_threshold_bp
    ):
        due, policy, rule = (
            price_cents,
            UnusedPolicy.REFUND,
            (
                "Formation suivie en totalité"
                if attendance_bp == FULL_BP or reason == ExitReason.COMPLETED
                else f"Assiduité d'au moins {rules.full_threshold_bp // 100} % : prix payé en totalité"
            ),
        )
    elif reason == ExitReason.ABANDONMENT:
        if attendance_bp < rules.low_threshold_bp:
            due = percent_of(price_cents, rules.low_payment_bp)
            rule = f"Abandon avec moins de {rules.low_threshold_bp // 100} % d'assiduité : {rules.low_payment_bp // 100} % du prix"
        else:
            due = pro_rata
            rule = "Abandon : paiement au prorata des heures suivies"
        policy = UnusedPolicy.FORFEIT
    else:  # force majeure, interruption by the provider
        due, policy = pro_rata, UnusedPolicy.REFUND
        rule = (
            "Force majeure : paiement au prorata des heures suivies"
            if reason == ExitReason.FORCE_MAJEURE
            else "Interruption par l'organisme : paiement au prorata des heures suivies"
        )
    return AmountDue(
        price_cents=price_cents,
        due_cents=due,
        advance_paid_cents=advance_paid_cents,
        payable_cents=due - advance_paid_cents,
        unused_cents=price_cents - due,
        unused_policy=policy,
        rule=rule,
    )
