"""Paying for a training from a holder's accounts: quote, reserve, capture, release.

Called by the enrolment domain with the order (dossier) reference as idempotency base:
reserve -> "reserve:<ref>", capture -> "capture:<ref>", release -> "release:<ref>". See docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from opencpf.core import clock
from opencpf.core.params import param
from opencpf.identity.models import Holder
from opencpf.rights.enums import AccountKind, FunderKind, ReservationStatus, TransactionKind
from opencpf.rights.exceptions import (
    InsufficientFunds,
    InvalidAmountForRights,
    ReservationClosed,
    ReservationConflict,
    ReservationNotFound,
)
from opencpf.rights.ledger import platform_account, post
from opencpf.rights.models import Account, Reservation

# Order in which holder money pays: rights, then DIF, then earmarked top-ups, then plain top-ups.
SOURCE_ORDER = ("rights", "dif", "earmarked", "plain")


@dataclass(frozen=True)
class Source:
    account_id: int
    category: str  # one of SOURCE_ORDER
    balance_cents: int
    is_employer: bool = False


@dataclass(frozen=True)
class QuoteLine:
    account_id: int
    category: str
    amount_cents: int
    is_employer: bool = False


@dataclass(frozen=True)
class Quote:
    nir_hash: str
    price_cents: int
    certification_code: str
    lines: tuple[QuoteLine, ...]
    copayment_cents: int
    copayment_exemption: str  # "", "job_seeker", "employer_topup"
    holder_rest_cents: int
    on: dt.date = field(default_factory=clock.today)

    def part(self, category: str) -> int:
        return sum(line.amount_cents for line in self.lines if line.category == category)

    @property
    def rights_cents(self) -> int:
        return self.part("rights") + self.part("dif")

    @property
    def earmarked_cents(self) -> int:
        return self.part("earmarked")

    @property
    def plain_cents(self) -> int:
        return self.part("plain")

    @property
    def funded_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def split_price(
    *, price_cents: int, sources: list[Source], copayment_param_cents: int, is_job_seeker: bool
) -> tuple[list[QuoteLine], int, str, int]:
    """Pure rule: (lines, copayment, exemption, holder rest). Sources are used in SOURCE_ORDER, then by account id."""
    if price_cents < 0:
        raise InvalidAmountForRights()
    ordered = sorted(sources, key=lambda s: (SOURCE_ORDER.index(s.category), s.account_id))

    def allocate(amount: int) -> list[QuoteLine]:
        lines = []
        for source in ordered:
            if amount <= 0:
                break
            take = min(amount, max(source.balance_cents, 0))
            if take:
                lines.append(QuoteLine(source.account_id, source.category, take, source.is_employer))
                amount -= take
        return lines

    if is_job_seeker:
        lines = allocate(price_cents)
        return lines, 0, "job_seeker", price_cents - sum(x.amount_cents for x in lines)
    lines = allocate(price_cents)
    if any(x.is_employer for x in lines):
        return lines, 0, "employer_topup", price_cents - sum(x.amount_cents for x in lines)
    copayment = min(copayment_param_cents, price_cents)
    lines = allocate(price_cents - copayment)
    return lines, copayment, "", price_cents - copayment - sum(x.amount_cents for x in lines)


def _sources(nir_hash: str, certification_code: str, accounts: list[Account] | None = None) -> list[Source]:
    if accounts is None:
        accounts = list(
            Account.objects.filter(
                nir_hash=nir_hash, kind__in=[AccountKind.RIGHTS, AccountKind.DIF, AccountKind.TOPUP]
            ).select_related("funder")
        )
    out = []
    for account in accounts:
        if account.kind == AccountKind.TOPUP:
            if account.certification_code and account.certification_code != certification_code:
                continue  # earmarked to another certification
            category = "earmarked" if account.certification_code else "plain"
            employer = account.funder is not None and account.funder.kind == FunderKind.EMPLOYER
        else:
            category, employer = str(account.kind), False
        if account.balance_cents > 0:
            out.append(Source(account.pk, category, account.balance_cents, employer))
    return out


def quote(
    *, nir_hash: str, price_cents: int, certification_code: str = "", is_job_seeker: bool | None = None
) -> Quote:
    """Split a price into rights, earmarked and plain top-ups, the co-payment and what the holder pays."""
    if not isinstance(price_cents, int) or price_cents < 0:
        raise InvalidAmountForRights()
    if is_job_seeker is None:
        is_job_seeker = bool(
            Holder.objects.filter(nir_hash=nir_hash).values_list("is_job_seeker", flat=True).first() or False
        )
    on = clock.today()
    lines, copayment, exemption, rest = split_price(
        price_cents=price_cents,
        sources=_sources(nir_hash, certification_code),
        copayment_param_cents=param("copayment_cents", on=on),
        is_job_seeker=is_job_seeker,
    )
    return Quote(nir_hash, price_cents, certification_code, tuple(lines), copayment, exemption, rest, on)


def _same(reservation: Reservation, q: Quote) -> bool:
    return (
        reservation.nir_hash == q.nir_hash
        and reservation.price_cents == q.price_cents
        and reservation.certification_code == q.certification_code
    )


def reserve(*, order_ref: str, quote: Quote, provider_ref: str = "") -> Reservation:
    """Hold the quote's amounts on the holder's accounts for the order. Idempotent on order_ref.

    Raises InsufficientFunds (nothing changed) if an account no longer holds its quoted amount.
    """
    if not order_ref:
        raise ValueError("order_ref is required")
    with transaction.atomic():
        ids = sorted({line.account_id for line in quote.lines})
        locked = {
            a.pk: a for a in Account.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        }
        existing = Reservation.objects.filter(order_ref=order_ref).first()
        if existing is not None:
            if not _same(existing, quote):
                raise ReservationConflict()
            return existing
        for line in quote.lines:
            account = locked.get(line.account_id)
            if account is None or account.nir_hash != quote.nir_hash or account.balance_cents < line.amount_cents:
                raise InsufficientFunds()
        total = quote.funded_cents
        lines = [(locked[line.account_id], -line.amount_cents) for line in quote.lines]
        lines.append((platform_account(AccountKind.HOLDS), total))
        now = clock.now()
        try:
            with transaction.atomic():
                reservation = Reservation.objects.create(
                    order_ref=order_ref,
                    nir_hash=quote.nir_hash,
                    price_cents=quote.price_cents,
                    certification_code=quote.certification_code,
                    allocations=[
                        {"account": x.account_id, "category": x.category, "amount_cents": x.amount_cents}
                        for x in quote.lines
                    ],
                    held_cents=total,
                    copayment_cents=quote.copayment_cents,
                    holder_rest_cents=quote.holder_rest_cents,
                    provider_ref=provider_ref,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # same order reserved meanwhile (a quote with no funded line locks nothing)
            existing = Reservation.objects.get(order_ref=order_ref)
            if not _same(existing, quote):
                raise ReservationConflict() from None
            return existing
        post(
            key=f"reserve:{order_ref}",
            kind=TransactionKind.RESERVE,
            lines=lines,
            reference=order_ref,
            label=f"Réservation pour le dossier {order_ref}",
        )
        return reservation


def _locked_reservation(order_ref: str) -> Reservation:
    reservation = Reservation.objects.select_for_update(of=("self",)).filter(order_ref=order_ref).first()
    if reservation is None:
        raise ReservationNotFound()
    return reservation


def _give_back(reservation: Reservation, amount: int) -> list[tuple[Account, int]]:
    """Return `amount` to the sources, last used first (plain top-ups before rights)."""
    lines: list[tuple[Account, int]] = []
    accounts = Account.objects.in_bulk([a["account"] for a in reservation.allocations])
    for alloc in reversed(reservation.allocations):
        if amount <= 0:
            break
        back = min(amount, int(alloc["amount_cents"]))
        lines.append((accounts[alloc["account"]], back))
        amount -= back
    return lines


def capture(*, order_ref: str, amount_cents: int | None = None, provider_ref: str = "") -> Reservation:
    """Debit the held amount at entry into training (all by default; a smaller amount returns the rest)."""
    with transaction.atomic():
        reservation = _locked_reservation(order_ref)
        if reservation.status == ReservationStatus.CAPTURED:
            return reservation
        if reservation.status == ReservationStatus.RELEASED:
            raise ReservationClosed()
        amount = reservation.held_cents if amount_cents is None else amount_cents
        if not isinstance(amount, int) or not 0 <= amount <= reservation.held_cents:
            raise InvalidAmountForRights("Le montant débité doit être compris entre 0 et le montant réservé.")
        provider = provider_ref or reservation.provider_ref
        lines: list[tuple[Account, int]] = [(platform_account(AccountKind.HOLDS), -reservation.held_cents)]
        lines.append((platform_account(AccountKind.PROVIDER_PAYABLE, provider), amount))
        lines += _give_back(reservation, reservation.held_cents - amount)
        post(
            key=f"capture:{order_ref}",
            kind=TransactionKind.CAPTURE,
            lines=lines,
            reference=order_ref,
            label=f"Débit à l'entrée en formation, dossier {order_ref}",
        )
        reservation.status = ReservationStatus.CAPTURED
        reservation.captured_cents = amount
        reservation.provider_ref = provider
        reservation.updated_at = clock.now()
        reservation.save(update_fields=["status", "captured_cents", "provider_ref", "updated_at"])
        return reservation


def release(*, order_ref: str) -> Reservation:
    """Return everything held for the order to the holder's accounts (cancellation before entry)."""
    with transaction.atomic():
        reservation = _locked_reservation(order_ref)
        if reservation.status == ReservationStatus.RELEASED:
            return reservation
        if reservation.status == ReservationStatus.CAPTURED:
            raise ReservationClosed()
        lines: list[tuple[Account, int]] = [(platform_account(AccountKind.HOLDS), -reservation.held_cents)]
        lines += _give_back(reservation, reservation.held_cents)
        post(
            key=f"release:{order_ref}",
            kind=TransactionKind.RELEASE,
            lines=lines,
            reference=order_ref,
            label=f"Restitution, dossier {order_ref}",
        )
        reservation.status = ReservationStatus.RELEASED
        reservation.updated_at = clock.now()
        reservation.save(update_fields=["status", "updated_at"])
        return reservation
