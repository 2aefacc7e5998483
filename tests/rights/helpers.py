"""Helpers for the rights tests: post money directly through the services' ledger."""

from __future__ import annotations

from django.db import transaction

from opencpf.identity import nir as nir_lib
from opencpf.rights.enums import AccountKind, TransactionKind
from opencpf.rights.ledger import holder_account, platform_account, post
from opencpf.rights.models import Account

NIR_A = "1 85 05 78 006 084 91"  # the `holder` fixture
NIR_B = "2 90 12 69 123 456 52"  # the `other_holder` fixture
SIRET_A = "73282932000074"
SIRET_B = "35600000000048"


def h(nir: str) -> str:
    return nir_lib.nir_hash(nir_lib.validate(nir))


def credit_rights(nir_hash: str, amount_cents: int, key: str) -> Account:
    """Give a holder rights (as a yearly credit would), for tests of spending."""
    with transaction.atomic():
        account = holder_account(AccountKind.RIGHTS, nir_hash)
        post(
            key=key,
            kind=TransactionKind.CREDIT_YEAR,
            lines=[(platform_account(AccountKind.OPERATOR_FUNDING, "tests"), -amount_cents), (account, amount_cents)],
            label="Crédit de test",
        )
    account.refresh_from_db()
    return account


def make_nir(i: int, sex: str = "1") -> str:
    """A valid NIR numbered i (distinct for distinct i < 10**6)."""
    body = f"{sex}850578{i:06d}"
    key = 97 - int(body) % 97
    return f"{body}{key:02d}"
