"""Reads of the rights domain: balances, statements, ledger verification, back-office lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from opencpf.rights.enums import HOLDER_KINDS, AccountKind, DifStatus
from opencpf.rights.models import Account, DifClaim, Entry, Reservation


@dataclass(frozen=True)
class Balances:
    rights_cents: int
    dif_cents: int
    topup_cents: int
    earmarked: list[tuple[str, int]]  # (certification code, cents)
    held_cents: int

    @property
    def total_cents(self) -> int:
        return self.rights_cents + self.dif_cents + self.topup_cents


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    posted_at: dt.datetime
    label: str
    account_label: str
    amount_cents: int
    balance_cents: int  # running total over the holder's accounts after this line


def balances(*, nir_hash: str) -> Balances:
    rights = dif = topup = 0
    earmarked: dict[str, int] = {}
    for a in Account.objects.filter(nir_hash=nir_hash, kind__in=list(HOLDER_KINDS)).only(
        "kind", "balance_cents", "certification_code"
    ):
        if a.kind == AccountKind.RIGHTS:
            rights += a.balance_cents
        elif a.kind == AccountKind.DIF:
            dif += a.balance_cents
        else:
            topup += a.balance_cents
            if a.certification_code:
                earmarked[a.certification_code] = earmarked.get(a.certification_code, 0) + a.balance_cents
    held = sum(Reservation.objects.filter(nir_hash=nir_hash, status="reserved").values_list("held_cents", flat=True))
    return Balances(rights, dif, topup, sorted(earmarked.items()), held)


def _account_label(account: Account) -> str:
    if account.kind == AccountKind.TOPUP:
        label = f"Abondement {account.funder.name if account.funder else ''}".strip()
        return f"{label} (fléché {account.certification_code})" if account.certification_code else label
    return str(account.get_kind_display())


def statement(*, nir_hash: str, since: dt.date | None = None) -> list[StatementLine]:
    """Every movement on the holder's accounts, oldest first, with the running balance."""
    entries = (
        Entry.objects.filter(account__nir_hash=nir_hash, account__kind__in=list(HOLDER_KINDS))
        .select_related("transaction", "account", "account__funder")
        .order_by("id")
    )
    running = 0
    lines = []
    for e in entries:
        running += e.amount_cents
        if since and e.transaction.posted_at.date() < since:
            continue
        lines.append(
            StatementLine(
                e.pk,
                e.transaction.posted_at,
                e.transaction.label or e.transaction.get_kind_display(),
                _account_label(e.account),
                e.amount_cents,
                running,
            )
        )
    return lines


def dif_claims_pending() -> QuerySet[DifClaim]:
    return DifClaim.objects.filter(status=DifStatus.PENDING).order_by("submitted_at")


def dif_claim_for(*, nir_hash: str) -> DifClaim | None:
    return DifClaim.objects.filter(nir_hash=nir_hash).order_by("-submitted_at").first()


def ledger_verify() -> list[str]:
    """Every difference found: unbalanced transactions, cached balances that differ from their entries."""
    problems: list[str] = []
    holder_kinds = ", ".join(f"'{k.value}'" for k in HOLDER_KINDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transaction_id, SUM(amount_cents) FROM rights_entry GROUP BY transaction_id "
            "HAVING SUM(amount_cents) <> 0 ORDER BY transaction_id"
        )
        for txn_id, total in cursor.fetchall():
            problems.append(f"mouvement {txn_id} déséquilibré : somme {total} centimes")
        cursor.execute(
            "SELECT a.id, a.balance_cents, COALESCE(s.total, 0) FROM rights_account a "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
            "LEFT JOIN (SELECT account_id, SUM(amount_cents) AS total FROM rights_entry GROUP BY account_id) s "
            f"ON s.account_id = a.id WHERE a.kind IN ({holder_kinds}) "
            "AND a.balance_cents <> COALESCE(s.total, 0) ORDER BY a.id"
        )
        for account_id, cached, computed in cursor.fetchall():
            problems.append(f"compte {account_id} : solde enregistré {cached}, somme des écritures {computed}")
        cursor.execute(
            f"SELECT a.id FROM rights_account a WHERE a.kind IN ({holder_kinds}) AND a.balance_cents < 0 ORDER BY a.id"  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
        )
        for (account_id,) in cursor.fetchall():
            problems.append(f"compte {account_id} : solde négatif")
        cursor.execute(
            "SELECT COALESCE(SUM(e.amount_cents), 0) FROM rights_entry e JOIN rights_account a ON a.id = e.account_id "
            "WHERE a.kind = %s",
            [AccountKind.HOLDS.value],
        )
        holds_total = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(SUM(held_cents), 0) FROM rights_reservation WHERE status = 'reserved'")
        open_total = int(cursor.fetchone()[0])
        if holds_total != open_total:
            problems.append(f"sommes réservées {holds_total} ≠ réservations ouvertes {open_total}")
    return problems


def topups_by_funder(*, nir_hash: str) -> list[tuple[str, str, int]]:
    """The holder's top-up balances: (funder name, earmarked certification code or "", cents), non-zero only."""
    rows = (
        Account.objects.filter(nir_hash=nir_hash, kind=AccountKind.TOPUP)
        .exclude(balance_cents=0)
        .select_related("funder")
        .order_by("funder__name", "certification_code", "id")
    )
    return [(a.funder.name if a.funder else "Autre financeur", a.certification_code, a.balance_cents) for a in rows]
