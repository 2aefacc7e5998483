"""Posting to the ledger: the one place that writes entries and cached balances.

Callers run inside `transaction.atomic` and have locked the holder accounts they debit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from opencpf.core import clock
from opencpf.rights.enums import HOLDER_KINDS, AccountKind
from opencpf.rights.models import Account, Entry, LedgerTransaction

Line = tuple[Account, int]


def platform_account(kind: str, reference: str = "") -> Account:
    """The platform-side account of that kind and reference (created on first use)."""
    if kind in HOLDER_KINDS:
        raise ValueError("holder accounts are not platform accounts")
    found = Account.objects.filter(kind=kind, reference=reference).first()
    if found is not None:
        return found
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
    """Post a movement once. Returns (transaction, created); a known key returns the first posting unchanged."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post() must run inside transaction.atomic")
    if sum(amount for _, amount in lines) != 0:
        raise ValueError("a ledger transaction must sum to zero")
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                idempotency_key=key,
                kind=kind,
                year=year,
                reference=reference[:100],
                label=label[:200],
                posted_at=clock.now(),
                actor=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(idempotency_key=key), False
    Entry.objects.bulk_create(
        [Entry(transaction=txn, account=account, amount_cents=amount) for account, amount in lines if amount]
    )
    # Cached balances of holder-side accounts, in primary-key order (no deadlock between posters).
    deltas: dict[int, int] = {}
    for account, amount in lines:
        if account.kind in HOLDER_KINDS and amount:
            deltas[account.pk] = deltas.get(account.pk, 0) + amount
    for pk in sorted(deltas):
        Account.objects.filter(pk=pk).update(balance_cents=F("balance_cents") + deltas[pk])
    return txn, True
