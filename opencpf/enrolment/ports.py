"""Every call from enrolment into other domains (rights, identity, payments) goes through here.

Money ports call the rights services (quote, reserve, capture, release; one ledger post for the late-cancellation
compensation), inside the transition's transaction: a refused transition moves no money.
The order reference in the ledger is the dossier number; the provider reference is its SIRET.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from opencpf.core.money import percent_of
from opencpf.enrolment.models import Dossier
from opencpf.identity import strong
from opencpf.identity.models import Holder
from opencpf.rights import services as rights
from opencpf.rights.enums import AccountKind, FunderKind, TransactionKind
from opencpf.rights.ledger import holder_account, platform_account, post
from opencpf.rights.models import Account, Funder
from opencpf.rights.models import Reservation as RightsReservation


@dataclass(frozen=True)
class PriceSplit:
    price_cents: int
    rights_cents: int  # rights and converted DIF hours
    topups_cents: int  # top-ups, earmarked or not
    copayment_cents: int  # the flat co-payment (paid by the holder)
    rest_cents: int  # what the holder pays by card, co-payment included
    quote: Any = field(default=None, compare=False, repr=False)  # the rights services' own quote

    @property
    def funded_cents(self) -> int:
        return self.rights_cents + self.topups_cents

    @property
    def holder_rest_cents(self) -> int:
        """The part of the price neither funded nor the co-payment (the holder pays it by card too)."""
        return self.rest_cents - self.copayment_cents


@dataclass(frozen=True)
class Reservation:
    ref: str
    amount_cents: int


def _certification_code(training: Any) -> str:
    return str(training.certification.code) if getattr(training, "certification_id", None) else ""


def _quote(holder: Holder, training: Any, price_cents: int) -> Any:
    return rights.quote(
        nir_hash=holder.nir_hash, price_cents=price_cents, certification_code=_certification_code(training)
    )


def quote_for(*, holder: Holder, training: Any, price_cents: int, on: dt.date | None = None) -> PriceSplit:
    """The price split (rights, top-ups, co-payment, rest) the holder would get now."""
    q = _quote(holder, training, price_cents)
    return PriceSplit(
        price_cents=price_cents,
        rights_cents=q.rights_cents,
        topups_cents=q.earmarked_cents + q.plain_cents,
        copayment_cents=q.copayment_cents,
        rest_cents=q.holder_rest_cents + q.copayment_cents,
        quote=q,
    )


def reserve_for(dossier: Dossier, split: PriceSplit | None = None) -> Reservation:
    """Hold the funded part of the price on the holder's accounts (idempotent on the dossier number)."""
    q = split.quote if split is not None and split.quote is not None else None
    if q is None:
        q = _quote(dossier.holder, dossier.training, dossier.price_cents)
    reservation = rights.reserve(order_ref=dossier.number, quote=q, provider_ref=dossier.provider.siret)
    return Reservation(ref=reservation.order_ref, amount_cents=int(reservation.held_cents))


def capture_for(dossier: Dossier) -> int:
    """Debit the whole reservation to the provider at entry into training; returns the amount debited."""
    reservation = rights.capture(order_ref=dossier.number, provider_ref=dossier.provider.siret)
    return int(reservation.captured_cents)


def release_for(dossier: Dossier) -> int:
    """Give everything held back to the holder's accounts; returns the amount released."""
    reservation = rights.release(order_ref=dossier.number)
    return int(reservation.held_cents)


def forfeit_for(dossier: Dossier, compensation_bp: int) -> tuple[int, int]:
    """Late cancellation: the holder loses the whole reservation; the provider is owed `compensation_bp` of the price.

    The reservation is captured (debited from the holder), then one balanced correction moves what the
    provider is not owed back to the operator's funding (or tops the compensation up from it when the
    reservation is smaller than the compensation). Returns (forfeited, compensation).
    """
    siret = dossier.provider.siret
    reservation = rights.capture(order_ref=dossier.number, provider_ref=siret)
    forfeited = int(reservation.captured_cents)
    compensation = percent_of(dossier.price_cents, compensation_bp)
    delta = compensation - forfeited
    if delta:
        post(
            key=f"forfeit:{dossier.number}",
            kind=TransactionKind.CAPTURE,
            lines=[
                (platform_account(AccountKind.PROVIDER_PAYABLE, siret), delta),
                (platform_account(AccountKind.OPERATOR_FUNDING, "forfeited_rights"), -delta),
            ],
            reference=dossier.number,
            label=f"Annulation tardive, dossier {dossier.number} : dédommagement de l'organisme",
        )
    return forfeited, compensation


def give_back_for(dossier: Dossier, amount_cents: int) -> int:
    """Exit with the unused part refunded: `amount_cents` of the captured money goes back from the provider's
    payable account to the holder's accounts it came from, last used first (top-ups before rights), as
    `rights.release` does. One balanced post keyed on the dossier number. Returns the amount given back."""
    if amount_cents <= 0:
        return 0
    reservation = RightsReservation.objects.get(order_ref=dossier.number)
    lines: list[Any] = [(platform_account(AccountKind.PROVIDER_PAYABLE, dossier.provider.siret), -amount_cents)]
    left = amount_cents
    for alloc in reversed(reservation.allocations):
        if left <= 0:
            break
        back = min(left, int(alloc["amount_cents"]))
        kind = AccountKind.TOPUP if alloc["category"] in ("earmarked", "plain") else alloc["category"]
        lines.append((Account(pk=alloc["account"], kind=kind), back))
        left -= back
    if left:
        raise ValueError(f"dossier {dossier.number}: {left} cents more than the reservation to give back")
    post(
        key=f"exit-refund:{dossier.number}",
        kind=TransactionKind.RELEASE,
        lines=lines,
        reference=dossier.number,
        label=f"Sortie de formation, dossier {dossier.number} : droits non utilisés restitués",
    )
    return amount_cents


def forfeit_unused_for(dossier: Dossier, amount_cents: int) -> int:
    """Exit after the holder's abandonment: the unused captured rights are lost, moved from the provider's
    payable account to the operator's funding (`forfeited_rights`), as `forfeit_for` does."""
    if amount_cents <= 0:
        return 0
    post(
        key=f"exit-forfeit:{dossier.number}",
        kind=TransactionKind.CAPTURE,
        lines=[
            (platform_account(AccountKind.PROVIDER_PAYABLE, dossier.provider.siret), -amount_cents),
            (platform_account(AccountKind.OPERATOR_FUNDING, "forfeited_rights"), amount_cents),
        ],
        reference=dossier.number,
        label=f"Sortie de formation, dossier {dossier.number} : droits non utilisés perdus",
    )
    return amount_cents


HOLDER_PAYMENT_FUNDER = "holder_payment"


def credit_card_part_for(dossier: Dossier, amount_cents: int) -> int:
    """Exit after the holder's abandonment: the unused part the holder paid by card becomes a credit on the
    account: a plain (not earmarked) top-up pool of the `holder_payment` funder, posted from the platform's
    `holder_payment` account (the card money the operator received). Rights has no service for it: one post."""
    if amount_cents <= 0:
        return 0
    funder, _ = Funder.objects.get_or_create(
        reference=HOLDER_PAYMENT_FUNDER,
        defaults={"name": "Paiements par carte des titulaires", "kind": FunderKind.OTHER},
    )
    pool = holder_account(AccountKind.TOPUP, dossier.holder.nir_hash, funder_id=funder.pk)
    post(
        key=f"exit-credit:{dossier.number}",
        kind=TransactionKind.TOPUP,
        lines=[(platform_account(AccountKind.HOLDER_PAYMENT), -amount_cents), (pool, amount_cents)],
        reference=dossier.number,
        label=f"Sortie de formation, dossier {dossier.number} : paiement par carte crédité sur le compte",
    )
    return amount_cents


def payment_held(dossier: Dossier) -> bool:
    """An active payment hold (control, dispute, alert, sanction) on the dossier or its provider."""
    from opencpf.payments.models import PaymentHold

    return (
        PaymentHold.objects.filter(lifted_at__isnull=True)
        .filter(Q(dossier_id=dossier.pk) | Q(provider_id=dossier.provider_id))
        .exists()
    )


def is_strong_session(request: Any) -> bool:
    """Strong authentication of the current request or API token (identity's rule)."""
    return bool(strong.is_strong_session(request))


def holder_can_purchase(holder: Holder) -> tuple[bool, str]:
    """Whether the account may buy now (email confirmed, no recent credential change), with a French reason."""
    ok, reason = strong.holder_can_purchase(holder)
    return bool(ok), str(reason)
