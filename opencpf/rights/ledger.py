"""Posting to the ledger: the one place that writes entries and cached balances.

Callers run inside `transaction.atomic`. Holder accounts are debited by guarded updates (never below zero).
Platform accounts may be given as `PlatformRef(kind, reference)`: resolved inside the entries' INSERT
(no extra query); if one does not exist yet, `MissingPlatformAccount` says which, and `with_platform_accounts`
creates it and runs the operation again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from django.db import IntegrityError, connection, transaction

from opencpf.core import clock
from opencpf.rights.enums import HOLDER_KINDS, AccountKind
from opencpf.rights.exceptions import InsufficientFunds
from opencpf.rights.models import Account, LedgerTransaction


class PlatformRef(NamedTuple):
    kind: str
    reference: str = ""


Line = tuple[Account | PlatformRef, int]
T = TypeVar("T")


class MissingPlatformAccount(Exception):
    def __init__(self, refs: list[PlatformRef]) -> None:
        super().__init__(refs)
        self.refs = refs


def with_platform_accounts(operation: Callable[[], T]) -> T:
    """Run `operation` (which opens its own atomic block); create missing platform accounts and retry once."""
    try:
        return operation()
    except MissingPlatformAccount as exc:
        for ref in exc.refs:
            platform_account(ref.kind, ref.reference)
        return operation()


def platform_account(kind: str, reference: str = "") -> Account:
    """The platform-side account of that kind and reference (created on first use). One query when it exists."""
    if kind in HOLDER_KINDS:
        raise ValueError("holder accounts are not platform accounts")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM rights_account WHERE kind = %s AND reference = %s", [kind, reference])
        row = cursor.fetchone()
    if row is not None:
        return Account(pk=row[0], kind=kind, reference=reference)
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, reference=reference)
    except IntegrityError:
        return Account.objects.get(kind=kind, reference=reference)


def holder_account(kind: str, nir_hash: str, *, funder_id: int | None = None, certification_code: str = "") -> Account:
    """The holder's rights, DIF or top-up pool account (created on first use; NIR hash, no Holder needed)."""
    lookup: dict[str, Any] = {"kind": kind, "nir_hash": nir_hash}
    if kind == AccountKind.TOPUP:
        lookup.update(funder_id=funder_id, certification_code=certification_code)
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:
        return Account.objects.get(**lookup)


def post(
    *,
    key: str,
    kind: str,
    lines: Sequence[Line],
    reference: str = "",
    label: str = "",
    year: int | None = None,
    actor: Any = None,
) -> tuple[LedgerTransaction, bool]:
    """Post a movement once. Returns (transaction, created); a known key returns the first posting unchanged.

    Debits of holder accounts are guarded updates (`balance_cents >= amount`): InsufficientFunds, nothing posted.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("post() must run inside transaction.atomic")
    if sum(amount for _, amount in lines) != 0:
        raise ValueError("a ledger transaction must sum to zero")
    if not any(amount for _, amount in lines):
        raise ValueError("a ledger transaction moves some money")
    posted_at = clock.now()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    txn_params = [
        key,
        kind,
        year,
        reference[:100],
        label[:200],
        conn.ops.adapt_datetimefield_value(posted_at),
        actor_id,
        sum(amount for _, amount in lines if amount > 0),
    ]
    # Cached balances of holder-side accounts, in primary-key order (no deadlock between posters).
    deltas: dict[int, int] = {}
    for account, amount in lines:
        if isinstance(account, Account) and account.kind in HOLDER_KINDS and amount:
            deltas[account.pk] = deltas.get(account.pk, 0) + amount
    entries = [(account, amount) for account, amount in lines if amount]
    platform = [account for account, _ in entries if isinstance(account, PlatformRef)]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            txn_id = _post_one_statement(cursor, txn_params, sorted(deltas.items()), entries, platform)
        else:
            txn_id = _post_statements(cursor, txn_params, sorted(deltas.items()), entries, platform)
    if txn_id is None:
        return LedgerTransaction.objects.get(idempotency_key=key), False
    txn = LedgerTransaction(
        pk=txn_id,
        idempotency_key=key,
        kind=kind,
        year=year,
        reference=reference[:100],
        label=label[:200],
        posted_at=posted_at,
        actor_id=actor_id,
        amount_cents=txn_params[-1],
    )
    return txn, True


_INSERT_TXN = (
    "INSERT INTO rights_ledgertransaction (idempotency_key, kind, year, reference, label, posted_at, actor_id, "
    "amount_cents) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)


def _entry_selects(txn_ref: str, entries: list[Line]) -> tuple[list[str], list[Any]]:
    selects: list[str] = []
    params: list[Any] = []
    for account, amount in entries:
        if isinstance(account, PlatformRef):
            selects.append(f"SELECT {txn_ref}, a.id, %s FROM rights_account a WHERE a.kind = %s AND a.reference = %s")  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
            params += [amount, account.kind, account.reference]
        else:
            selects.append(f"SELECT {txn_ref}, %s, %s")
            params += [account.pk, amount]
    return selects, params


def _post_statements(
    cursor: Any, txn_params: list[Any], deltas: list[tuple[int, int]], entries: list[Line], platform: list[PlatformRef]
) -> int | None:
    """Portable path (SQLite): one statement per step."""
    cursor.execute(_INSERT_TXN, txn_params)
    row = cursor.fetchone()
    if row is None:
        return None
    for pk, delta in deltas:
        cursor.execute(
            "UPDATE rights_account SET balance_cents = balance_cents + %s WHERE id = %s AND balance_cents + %s >= 0",
            [delta, pk, delta],
        )
        if cursor.rowcount != 1:
            raise InsufficientFunds()
    if entries:
        selects, params = _entry_selects(str(int(row[0])), entries)
        cursor.execute(
            "INSERT INTO rights_entry (transaction_id, account_id, amount_cents) " + " UNION ALL ".join(selects),
            params,
        )
        if cursor.rowcount != len(entries):
            raise MissingPlatformAccount(platform)
    return int(row[0])


def _post_one_statement(
    cursor: Any, txn_params: list[Any], deltas: list[tuple[int, int]], entries: list[Line], platform: list[PlatformRef]
) -> int | None:
    """PostgreSQL: the transaction row, the guarded balance updates and the entries in one round trip."""
    sql = ["WITH t AS (" + _INSERT_TXN + ")"]
    params: list[Any] = list(txn_params)
    if deltas:
        values = ", ".join(["(%s::bigint, %s::bigint)"] * len(deltas))
        sql.append(
            ", u AS (UPDATE rights_account SET balance_cents = rights_account.balance_cents + v.delta "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
            f"FROM (VALUES {values}) AS v(id, delta) WHERE rights_account.id = v.id "
            "AND rights_account.balance_cents + v.delta >= 0 AND EXISTS (SELECT 1 FROM t) RETURNING rights_account.id)"
        )
        params += [x for pair in deltas for x in pair]
    if entries:
        selects, entry_params = _entry_selects("t.id", entries)
        selects = [
            s.replace(" FROM rights_account a WHERE", " FROM t, rights_account a WHERE")
            if "rights_account a" in s
            else s + " FROM t"
            for s in selects
        ]
        sql.append(
            ", e AS (INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
            + " UNION ALL ".join(selects)
            + " RETURNING 1)"
        )
        params += entry_params
    sql.append(
        " SELECT (SELECT id FROM t), "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
        + ("(SELECT COUNT(*) FROM u)" if deltas else "0")
        + ", "
        + ("(SELECT COUNT(*) FROM e)" if entries else "0")
    )
    cursor.execute("".join(sql), params)
    txn_id, updated, inserted = cursor.fetchone()
    if txn_id is None:
        return None
    if updated != len(deltas):
        raise InsufficientFunds()
    if inserted != len(entries):
        raise MissingPlatformAccount(platform)
    return int(txn_id)
