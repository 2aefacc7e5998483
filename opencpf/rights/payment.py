"""Paying for a training from a holder's accounts: quote, reserve, capture, release.

Called by the enrolment domain with the order (dossier) reference as idempotency base:
reserve -> "reserve:<ref>", capture -> "capture:<ref>", release -> "release:<ref>". See docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction

from opencpf.core import clock
from opencpf.core.params import MissingParameter
from opencpf.rights.enums import AccountKind, FunderKind, ReservationStatus, TransactionKind
from opencpf.rights.exceptions import (
    InsufficientFunds,
    InvalidAmountForRights,
    ReservationClosed,
    ReservationConflict,
    ReservationNotFound,
)
from opencpf.rights.ledger import Line, MissingPlatformAccount, PlatformRef, post, with_platform_accounts
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
    params: list[Any] = [
        nir_hash,
        on,
        nir_hash,
        AccountKind.RIGHTS.value,
        AccountKind.DIF.value,
        AccountKind.TOPUP.value,
    ]
    if connection.vendor == "postgresql":  # a server-side prepared statement (see _run_pg)
        rows = _fetch_pg(_SOURCES_SQL, params)
    else:
        params[1] = connection.ops.adapt_datefield_value(on)
        with connection.cursor() as cursor:
            cursor.execute(_SOURCES_SQL, params)
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
    if connection.vendor == "postgresql" and total:
        return _reserve_pg(order_ref, quote, provider_ref, total, allocations, now)
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
    return _new_reservation(row[0], order_ref, quote, provider_ref, total, allocations, now)


def _new_reservation(
    pk: int, order_ref: str, quote: Quote, provider_ref: str, total: int, allocations: list[dict], now: dt.datetime
) -> Reservation:
    return _reservation(
        pk, order_ref, quote.nir_hash, quote.price_cents, quote.certification_code, allocations, total,
        quote.copayment_cents, quote.holder_rest_cents, 0, ReservationStatus.RESERVED, provider_ref, now, now,
    )  # fmt: skip


_RESERVATION_FIELDS = (
    "id", "order_ref", "nir_hash", "price_cents", "certification_code", "allocations", "held_cents",
    "copayment_cents", "holder_rest_cents", "captured_cents", "status", "provider_ref", "created_at", "updated_at",
)  # fmt: skip


# Positional init is the cheap path of Model.__init__; by name if the model gains fields.
_POSITIONAL = tuple(f.attname for f in Reservation._meta.concrete_fields) == _RESERVATION_FIELDS


def _reservation(*values: Any) -> Reservation:
    """A Reservation from its column values in the order of _RESERVATION_FIELDS."""
    if _POSITIONAL:
        return Reservation(*values)  # type: ignore[misc]  # positional fields, checked above
    return Reservation(**dict(zip(_RESERVATION_FIELDS, values, strict=True)))


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
    if amount_cents is None and connection.vendor == "postgresql":
        done = _capture_all_pg(order_ref, provider_ref)
        if done is not None:
            return done
        # Not an open reservation, or a platform account to create: the general path says which and acts.

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


# ----- PostgreSQL: reserve and capture in one statement each -----
#
# The hot path of a purchase. Each operation is a single statement (data-modifying CTEs): the reservation row,
# the ledger transaction, the guarded debits of the holder's accounts and the entries are written together or
# not at all. Outside a transaction block that statement is its own transaction (one round trip, one commit);
# inside one, it runs under a savepoint so that a refusal leaves the caller's transaction usable.
# Guarantees are the same as the general path's: the reservation's order_ref and the ledger's idempotency key
# are unique (ON CONFLICT DO NOTHING makes a replay a no-op), every debit is guarded (balance + delta >= 0, and
# the CHECK constraint besides); if any guarded debit finds too little money, the final SELECT divides by zero,
# which aborts the whole statement (InsufficientFunds, nothing written). A missing platform account makes an
# entry's account NULL, which the NOT NULL constraint refuses (the account is created and the operation rerun).
# Statements are prepared on first use on each connection (psycopg server-side binding cursor, prepare=True).
# Django turns psycopg's automatic preparation off (prepare_threshold None), and psycopg then ignores
# prepare=True too: _raw() gives the connection a threshold no statement reaches, so that only these
# explicitly marked statements are prepared (see docs/operations.md for connection poolers).

_NEVER = 2**31 - 1

_HOLDER_KINDS_SQL = "('rights', 'dif', 'topup')"

_RESERVE_HEAD = (
    "WITH r AS (INSERT INTO rights_reservation (order_ref, nir_hash, price_cents, certification_code, allocations, "
    "held_cents, copayment_cents, holder_rest_cents, captured_cents, status, provider_ref, created_at, updated_at) "
    "VALUES (%s, %s, %s::bigint, %s, %s::jsonb, %s::bigint, %s::bigint, %s::bigint, 0, 'reserved', %s, %s, %s) "
    "ON CONFLICT (order_ref) DO NOTHING RETURNING id), "
    "t AS (INSERT INTO rights_ledgertransaction (idempotency_key, kind, year, reference, label, posted_at, actor_id, "
    "amount_cents) SELECT %s, 'reserve', NULL, %s, %s, %s, NULL, %s::bigint FROM r "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
)
_RESERVE_SQL: dict[int, str] = {}


def _reserve_sql(n: int) -> str:
    """The reservation statement for n debited holder accounts (cached: a few shapes only, each prepared once per connection)."""
    sql = _RESERVE_SQL.get(n)
    if sql is None:
        values = ", ".join(["(%s::bigint, %s::bigint)"] * n)
        sql = _RESERVE_SQL[n] = (
            _RESERVE_HEAD  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
            + f"v(id, delta) AS (VALUES {values}), "
            + "u AS (UPDATE rights_account a SET balance_cents = a.balance_cents - v.delta FROM v "
            + f"WHERE a.id = v.id AND a.kind IN {_HOLDER_KINDS_SQL} AND a.balance_cents >= v.delta "
            + "AND EXISTS (SELECT 1 FROM t) RETURNING a.id), "
            + "e AS (INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
            + "SELECT t.id, v.id, -v.delta FROM t, v UNION ALL "
            + "SELECT t.id, (SELECT h.id FROM rights_account h WHERE h.kind = 'holds' AND h.reference = ''), "
            + "%s::bigint FROM t RETURNING 1) "
            + "SELECT (SELECT id FROM r), (SELECT COUNT(*) FROM e) / "
            + f"CASE WHEN (SELECT COUNT(*) FROM u) = {int(n)} OR NOT EXISTS (SELECT 1 FROM t) THEN 1 ELSE 0 END"  # noqa: S608  # nosec B608
        )
    return sql


def _log(conn: Any, sql: str, started: float) -> None:
    """Record a raw statement where Django records queries (DEBUG, assertNumQueries), as its cursor would."""
    if conn.queries_logged:
        conn.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _raw(conn: Any) -> psycopg.Connection:  # type: ignore[type-arg]
    """The psycopg connection, where prepare=True takes effect (and automatic preparation stays off)."""
    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _NEVER
    return raw  # type: ignore[no-any-return]


def _fetch_pg(sql: str, params: list) -> list[tuple]:  # type: ignore[type-arg]
    """All rows of a read on PostgreSQL through a server-side binding cursor (prepared on first use)."""
    conn = transaction.get_connection()
    raw = _raw(conn)
    started = time.monotonic()
    with conn.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchall()
    _log(conn, sql, started)
    return rows


def _run_pg(sql: str, params: list) -> tuple | None:  # type: ignore[type-arg]
    """Execute one statement on PostgreSQL (savepoint inside a transaction block); the first row or None."""
    conn = transaction.get_connection()
    raw = _raw(conn)

    def execute() -> tuple | None:  # type: ignore[type-arg]
        started = time.monotonic()
        with psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)  # Django disables automatic preparation
            row = cursor.fetchone()
        _log(conn, sql, started)
        return row

    try:
        with conn.wrap_database_errors:  # psycopg's errors as Django's, the original as __cause__
            if conn.in_atomic_block:
                with transaction.atomic():
                    return execute()
            return execute()
    except DatabaseError as exc:
        if isinstance(exc.__cause__, psycopg.errors.DivisionByZero):
            raise InsufficientFunds() from None
        if isinstance(exc.__cause__, psycopg.errors.NotNullViolation):
            raise MissingPlatformAccount([PlatformRef(AccountKind.HOLDS)]) from exc
        raise


def _reserve_pg(
    order_ref: str, quote: Quote, provider_ref: str, total: int, allocations: list[dict], now: dt.datetime
) -> Reservation:
    debits = [(x.account_id, x.amount_cents) for x in quote.lines if x.amount_cents]
    params: list = [  # type: ignore[type-arg]
        order_ref,
        quote.nir_hash,
        quote.price_cents,
        quote.certification_code,
        json.dumps(allocations),
        total,
        quote.copayment_cents,
        quote.holder_rest_cents,
        provider_ref,
        now,
        now,
        f"reserve:{order_ref}",
        order_ref[:100],
        f"Réservation pour le dossier {order_ref}"[:200],
        now,
        total,
    ]
    for pair in debits:
        params += pair
    params.append(total)
    row = _run_pg(_reserve_sql(len(debits)), params)
    if row is None or row[0] is None:
        existing = Reservation.objects.get(order_ref=order_ref)
        if not _same(existing, quote):
            raise ReservationConflict()
        return existing
    return _new_reservation(row[0], order_ref, quote, provider_ref, total, allocations, now)


_CAPTURE_ALL_SQL = (
    "WITH r AS (UPDATE rights_reservation SET status = 'captured', captured_cents = held_cents, "
    " provider_ref = CASE WHEN %s = '' THEN provider_ref ELSE %s END, updated_at = %s "
    " WHERE order_ref = %s AND status = 'reserved' "
    " RETURNING id, nir_hash, price_cents, certification_code, allocations, held_cents, copayment_cents, "
    " holder_rest_cents, provider_ref, created_at), "
    "t AS (INSERT INTO rights_ledgertransaction (idempotency_key, kind, year, reference, label, posted_at, actor_id, "
    " amount_cents) SELECT %s, 'capture', NULL, %s, %s, %s, NULL, r.held_cents FROM r WHERE r.held_cents > 0 "
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
    "e AS (INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
    " SELECT t.id, (SELECT h.id FROM rights_account h WHERE h.kind = 'holds' AND h.reference = ''), -r.held_cents "
    " FROM t, r UNION ALL "
    " SELECT t.id, (SELECT p.id FROM rights_account p WHERE p.kind = 'provider_payable' "
    "  AND p.reference = r.provider_ref), r.held_cents FROM t, r RETURNING 1) "
    "SELECT r.*, (SELECT COUNT(*) FROM e) FROM r"
)


def _capture_all_pg(order_ref: str, provider_ref: str) -> Reservation | None:
    """Capture everything held in one statement; None when the general path must decide (see capture)."""
    now = clock.now()
    try:
        row = _run_pg(
            _CAPTURE_ALL_SQL,
            [
                provider_ref,
                provider_ref,
                now,
                order_ref,
                f"capture:{order_ref}",
                order_ref[:100],
                f"Débit à l'entrée en formation, dossier {order_ref}"[:200],
                now,
            ],
        )
    except MissingPlatformAccount:
        return None
    if row is None:
        return None
    return _reservation(
        row[0], order_ref, row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[5],
        ReservationStatus.CAPTURED, row[8], row[9], now,
    )  # fmt: skip
