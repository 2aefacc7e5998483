"""Paying for a training from a holder's accounts: quote, reserve, capture, release.

Called by the enrolment domain with the order (dossier) reference as idempotency base:
reserve -> "reserve:<ref>", capture -> "capture:<ref>", release -> "release:<ref>". See docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from opencpf.core import clock
from opencpf.core.params import MissingParameter
from opencpf.rights.enums import AccountKind, FunderKind, ReservationStatus, TransactionKind
from opencpf.rights.exceptions import (
    InvalidAmountForRights,
    ReservationClosed,
    ReservationConflict,
    ReservationNotFound,
)
from opencpf.rights.ledger import Line, PlatformRef, post, with_platform_accounts
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


_SOURCES_SQL = (
    "SELECT a.id, a.kind, a.balance_cents, a.certification_code, f.kind, "
    " (SELECT h.is_job_seeker FROM identity_holder h WHERE h.nir_hash = %s), "
    " (SELECT p.value FROM core_parameter p WHERE p.key = 'copayment_cents' AND p.effective_from <= %s "
    "  ORDER BY p.effective_from DESC LIMIT 1) "
    "FROM (SELECT 1 AS one) o LEFT JOIN rights_account a ON a.nir_hash = %s AND a.kind IN (%s, %s, %s) "
    "AND a.balance_cents > 0 LEFT JOIN rights_funder f ON f.id = a.funder_id"
)


def quote(*, nir_hash: str, price_cents: int, certification_code: str = "", is_job_seeker: bool | None = None) -> Quote:
    """Split a price into rights, earmarked and plain top-ups, the co-payment and what the holder pays.

    One query: the holder's funded accounts, whether they are a job-seeker, the co-payment in force today.
    """
    if not isinstance(price_cents, int) or isinstance(price_cents, bool) or price_cents < 0:
        raise InvalidAmountForRights()
    on = clock.today()
    with connection.cursor() as cursor:
        cursor.execute(
            _SOURCES_SQL,
            [
                nir_hash,
                connection.ops.adapt_datefield_value(on),
                nir_hash,
                AccountKind.RIGHTS.value,
                AccountKind.DIF.value,
                AccountKind.TOPUP.value,
            ],
        )
        rows = cursor.fetchall()
    copayment = rows[0][6] if rows else None
    if copayment is None:
        raise MissingParameter(f"Paramètre « copayment_cents » non défini au {on:%d/%m/%Y}.", key="copayment_cents")
    if is_job_seeker is None:
        is_job_seeker = bool(rows[0][5])
    sources = []
    for account_id, kind, balance, code, funder_kind, _, _ in rows:
        if account_id is None:
            continue
        if kind == AccountKind.TOPUP:
            if code and code != certification_code:
                continue  # earmarked to another certification
            category = "earmarked" if code else "plain"
            sources.append(Source(account_id, category, balance, funder_kind == FunderKind.EMPLOYER))
        else:
            sources.append(Source(account_id, str(kind), balance))
    lines, copay, exemption, rest = split_price(
        price_cents=price_cents, sources=sources, copayment_param_cents=int(copayment), is_job_seeker=is_job_seeker
    )
    return Quote(nir_hash, price_cents, certification_code, tuple(lines), copay, exemption, rest, on)


def _same(reservation: Reservation, q: Quote) -> bool:
    return (
        reservation.nir_hash == q.nir_hash
        and reservation.price_cents == q.price_cents
        and reservation.certification_code == q.certification_code
    )


_CATEGORY_KIND = {
    "rights": AccountKind.RIGHTS,
    "dif": AccountKind.DIF,
    "earmarked": AccountKind.TOPUP,
    "plain": AccountKind.TOPUP,
}


def reserve(*, order_ref: str, quote: Quote, provider_ref: str = "") -> Reservation:
    """Hold the quote's amounts on the holder's accounts for the order. Idempotent on order_ref.

    `quote` must come from `quote()`. Each debit is a guarded update (balance >= amount), so concurrent
    reservations on one account never overdraw it; if any account no longer holds its quoted amount,
    InsufficientFunds is raised and nothing changes.
    """
    if not order_ref:
        raise ValueError("order_ref is required")
    total = quote.funded_cents
    allocations = [
        {"account": x.account_id, "category": x.category, "amount_cents": x.amount_cents} for x in quote.lines
    ]
    now = clock.now()
    return with_platform_accounts(lambda: _reserve(order_ref, quote, provider_ref, total, allocations, now))


def _reserve(
    order_ref: str, quote: Quote, provider_ref: str, total: int, allocations: list[dict], now: dt.datetime
) -> Reservation:
    try:
        with transaction.atomic():
            conn = transaction.get_connection()
            with conn.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO rights_reservation (order_ref, nir_hash, price_cents, certification_code, allocations, "
                    "held_cents, copayment_cents, holder_rest_cents, captured_cents, status, provider_ref, created_at, "
                    "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s) "
                    "ON CONFLICT (order_ref) DO NOTHING RETURNING id",
                    [
                        order_ref,
                        quote.nir_hash,
                        quote.price_cents,
                        quote.certification_code,
                        json.dumps(allocations),
                        total,
                        quote.copayment_cents,
                        quote.holder_rest_cents,
                        ReservationStatus.RESERVED.value,
                        provider_ref,
                        conn.ops.adapt_datetimefield_value(now),
                        conn.ops.adapt_datetimefield_value(now),
                    ],
                )
                row = cursor.fetchone()
            if row is None:
                existing = Reservation.objects.get(order_ref=order_ref)
                if not _same(existing, quote):
                    raise ReservationConflict()
                return existing
            lines: list[Line] = [
                (Account(pk=x.account_id, kind=_CATEGORY_KIND[x.category]), -x.amount_cents) for x in quote.lines
            ]
            lines.append((PlatformRef(AccountKind.HOLDS), total))
            if total:  # nothing funded: the reservation records the split, no money moves
                post(
                    key=f"reserve:{order_ref}",
                    kind=TransactionKind.RESERVE,
                    lines=lines,
                    reference=order_ref,
                    label=f"Réservation pour le dossier {order_ref}",
                )
    except IntegrityError:  # a concurrent reservation of the same order committed first
        existing = Reservation.objects.get(order_ref=order_ref)
        if not _same(existing, quote):
            raise ReservationConflict() from None
        return existing
    return Reservation(
        pk=row[0],
        order_ref=order_ref,
        nir_hash=quote.nir_hash,
        price_cents=quote.price_cents,
        certification_code=quote.certification_code,
        allocations=allocations,
        held_cents=total,
        copayment_cents=quote.copayment_cents,
        holder_rest_cents=quote.holder_rest_cents,
        captured_cents=0,
        status=ReservationStatus.RESERVED,
        provider_ref=provider_ref,
        created_at=now,
        updated_at=now,
    )


_CLOSE_SQL = (
    "UPDATE rights_reservation SET status = %s, "
    " captured_cents = CASE WHEN %s < 0 THEN held_cents ELSE %s END, "
    " provider_ref = CASE WHEN %s = '' THEN provider_ref ELSE %s END, updated_at = %s "
    "WHERE order_ref = %s AND status = %s AND held_cents >= %s "
    "RETURNING id, nir_hash, price_cents, certification_code, allocations, held_cents, copayment_cents, "
    "holder_rest_cents, provider_ref, created_at, captured_cents"
)


def _close(order_ref: str, status: str, captured: int, provider_ref: str) -> tuple[Reservation, bool]:
    """Move an open reservation to `status` (guarded update; captured -1 = all). Returns (reservation, changed)."""
    conn = transaction.get_connection()
    now = clock.now()
    with conn.cursor() as cursor:
        cursor.execute(
            _CLOSE_SQL,
            [
                status,
                captured,
                captured,
                provider_ref,
                provider_ref,
                conn.ops.adapt_datetimefield_value(now),
                order_ref,
                ReservationStatus.RESERVED.value,
                max(captured, 0),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        existing = Reservation.objects.filter(order_ref=order_ref).first()
        if existing is None:
            raise ReservationNotFound()
        if existing.status == status:
            return existing, False
        if existing.status != ReservationStatus.RESERVED:
            raise ReservationClosed()
        raise InvalidAmountForRights("Le montant débité doit être compris entre 0 et le montant réservé.")
    allocations = json.loads(row[4]) if isinstance(row[4], str) else row[4]
    created = row[9]
    if isinstance(created, str):
        created = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC)
    reservation = Reservation(
        pk=row[0],
        order_ref=order_ref,
        nir_hash=row[1],
        price_cents=row[2],
        certification_code=row[3],
        allocations=allocations,
        held_cents=row[5],
        copayment_cents=row[6],
        holder_rest_cents=row[7],
        captured_cents=row[10],
        status=status,
        provider_ref=row[8],
        created_at=created,
        updated_at=now,
    )
    return reservation, True


def _give_back(reservation: Reservation, amount: int) -> list[Line]:
    """Return `amount` to the sources, last used first (plain top-ups before rights)."""
    lines: list[Line] = []
    for alloc in reversed(reservation.allocations):
        if amount <= 0:
            break
        back = min(amount, int(alloc["amount_cents"]))
        lines.append((Account(pk=alloc["account"], kind=_CATEGORY_KIND[alloc["category"]]), back))
        amount -= back
    return lines


def capture(*, order_ref: str, amount_cents: int | None = None, provider_ref: str = "") -> Reservation:
    """Debit the held amount at entry into training (all by default; a smaller amount returns the rest).

    Idempotent: capturing a captured order returns it unchanged; a released order raises ReservationClosed.
    """
    if amount_cents is not None and (not isinstance(amount_cents, int) or amount_cents < 0):
        raise InvalidAmountForRights("Le montant débité doit être compris entre 0 et le montant réservé.")

    def run() -> Reservation:
        with transaction.atomic():
            reservation, changed = _close(
                order_ref, ReservationStatus.CAPTURED, -1 if amount_cents is None else amount_cents, provider_ref
            )
            if not changed or not reservation.held_cents:
                return reservation
            amount = reservation.captured_cents
            lines: list[Line] = [
                (PlatformRef(AccountKind.HOLDS), -reservation.held_cents),
                (PlatformRef(AccountKind.PROVIDER_PAYABLE, reservation.provider_ref), amount),
            ]
            if amount < reservation.held_cents:
                lines += _give_back(reservation, reservation.held_cents - amount)
            post(
                key=f"capture:{order_ref}",
                kind=TransactionKind.CAPTURE,
                lines=lines,
                reference=order_ref,
                label=f"Débit à l'entrée en formation, dossier {order_ref}",
            )
            return reservation

    return with_platform_accounts(run)


def release(*, order_ref: str) -> Reservation:
    """Return everything held for the order to the holder's accounts (cancellation before entry).

    Idempotent: releasing a released order returns it unchanged; a captured order raises ReservationClosed.
    """

    def run() -> Reservation:
        with transaction.atomic():
            reservation, changed = _close(order_ref, ReservationStatus.RELEASED, 0, "")
            if not changed or not reservation.held_cents:
                return reservation
            lines: list[Line] = [(PlatformRef(AccountKind.HOLDS), -reservation.held_cents)]
            lines += _give_back(reservation, reservation.held_cents)
            post(
                key=f"release:{order_ref}",
                kind=TransactionKind.RELEASE,
                lines=lines,
                reference=order_ref,
                label=f"Restitution, dossier {order_ref}",
            )
            return reservation

    return with_platform_accounts(run)
