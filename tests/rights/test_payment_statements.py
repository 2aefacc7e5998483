"""The PostgreSQL hot path of a purchase: reserve and capture are one statement each, and keep their guarantees
(nothing written on a refusal, the caller's transaction still usable, platform accounts created on first use)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opencpf.rights import services
from opencpf.rights.enums import AccountKind, FunderKind, ReservationStatus
from opencpf.rights.exceptions import InsufficientFunds
from opencpf.rights.models import Account, Entry, LedgerTransaction, Reservation
from opencpf.rights.selectors import ledger_verify
from tests.rights.helpers import NIR_A, credit_rights

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_reserve_and_capture_are_one_statement_each_outside_a_transaction(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 100_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=60_000)
    services.reserve(order_ref="W-0", quote=q, provider_ref="11111111111111")  # creates the platform accounts
    services.capture(order_ref="W-0")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=30_000)
    with CaptureQueriesContext(connection) as reserving:
        r = services.reserve(order_ref="W-1", quote=q, provider_ref="11111111111111")
    with CaptureQueriesContext(connection) as capturing:
        c = services.capture(order_ref="W-1")
    assert len(reserving.captured_queries) == 1 and len(capturing.captured_queries) == 1
    assert (r.status, r.held_cents, c.status, c.captured_cents) == (
        "reserved",
        q.funded_cents,
        "captured",
        q.funded_cents,
    )
    assert Reservation.objects.get(order_ref="W-1").status == ReservationStatus.CAPTURED
    account.refresh_from_db()
    assert account.balance_cents == 100_000 - (60_000 - 10_223) - (30_000 - 10_223)
    assert ledger_verify() == []


@pytest.mark.django_db(transaction=True)
def test_first_capture_for_a_new_provider_creates_its_payable_account(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 100_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=20_000, is_job_seeker=True)
    services.reserve(order_ref="N-1", quote=q, provider_ref="22222222222222")
    assert not Account.objects.filter(kind=AccountKind.PROVIDER_PAYABLE, reference="22222222222222").exists()
    r = services.capture(order_ref="N-1")
    assert r.captured_cents == 20_000
    payable = Account.objects.get(kind=AccountKind.PROVIDER_PAYABLE, reference="22222222222222")
    assert sum(e.amount_cents for e in Entry.objects.filter(account=payable)) == 20_000
    assert services.capture(order_ref="N-1").pk == r.pk  # idempotent
    assert LedgerTransaction.objects.filter(reference="N-1").count() == 2
    assert ledger_verify() == []


@pytest.mark.django_db
def test_refused_reservation_inside_a_transaction_changes_nothing_and_leaves_it_usable(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    rights = credit_rights(holder.nir_hash, 30_000, "c1")
    opco = services.funder_create(name="OPCO Atlas", kind=FunderKind.OPCO, reference="opco-atlas")
    services.topup_add(
        funder=opco, nir=NIR_A, birth_name="Martin", amount_cents=40_000, certification_code="", idempotency_key="t"
    )
    stale = services.quote(nir_hash=holder.nir_hash, price_cents=70_000, is_job_seeker=True)
    assert len(stale.lines) == 2  # rights, then the top-up
    topup = Account.objects.get(kind=AccountKind.TOPUP)
    services.reserve(
        order_ref="A-1", quote=services.quote(nir_hash=holder.nir_hash, price_cents=10_000, is_job_seeker=True)
    )
    before = (Reservation.objects.count(), LedgerTransaction.objects.count(), Entry.objects.count())
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):  # the rights account no longer holds its quoted 30 000
            services.reserve(order_ref="A-2", quote=stale)
        assert Account.objects.get(pk=topup.pk).balance_cents == 40_000  # the top-up's debit was undone too
    rights.refresh_from_db()
    assert rights.balance_cents == 20_000
    assert (Reservation.objects.count(), LedgerTransaction.objects.count(), Entry.objects.count()) == before
    assert not Reservation.objects.filter(order_ref="A-2").exists()
    assert ledger_verify() == []


def _prepared() -> dict[str, int]:
    """This connection's server-side prepared statements: their text's head and how many plans each made."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return {statement[:40]: runs for statement, runs in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_purchase_runs_prepared_statements_and_nothing_else_is_prepared(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 100_000, "c1")
    Reservation.objects.count()  # an ordinary ORM query: never prepared (connection poolers)
    stale = services.quote(nir_hash=holder.nir_hash, price_cents=60_000)
    for i in range(3):
        q = services.quote(nir_hash=holder.nir_hash, price_cents=40_000)
        services.reserve(order_ref=f"P-{i}", quote=q, provider_ref="11111111111111")
        services.capture(order_ref=f"P-{i}")
    with pytest.raises(InsufficientFunds):  # a refused run aborts the statement, not its preparation
        services.reserve(order_ref="P-9", quote=stale)
    prepared = _prepared()
    assert len(prepared) == 3, prepared  # quote, reserve (one debited account), capture: each prepared once
    assert all(runs >= 1 for runs in prepared.values()), prepared
    assert not Reservation.objects.filter(order_ref="P-9").exists()
    assert not any("COUNT" in s and "rights_reservation" in s for s in prepared)
    assert ledger_verify() == []
