"""Real threads on PostgreSQL; verify_ledger runs after them (test_zz_verify below keeps that order in this file)."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from opencpf.rights import services
from opencpf.rights.exceptions import InsufficientFunds
from opencpf.rights.models import Account, Reservation
from tests.rights.helpers import credit_rights, h, make_nir

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_50_concurrent_reservations_on_one_account() -> None:
    nir_hash = h(make_nir(4242))
    balance, amount, workers = 100_000, 7_000, 50
    account = credit_rights(nir_hash, balance, "seed")
    quotes = [services.quote(nir_hash=nir_hash, price_cents=amount, is_job_seeker=True) for _ in range(workers)]
    assert all(q.funded_cents == amount for q in quotes)  # everyone saw enough money
    barrier = threading.Barrier(workers)
    results: list[str] = []
    lock = threading.Lock()
    lowest = [balance]

    def work(i: int) -> None:
        try:
            barrier.wait()
            try:
                services.reserve(order_ref=f"C-{i}", quote=quotes[i])
                outcome = "ok"
            except InsufficientFunds:
                outcome = "refused"
            current = Account.objects.get(pk=account.pk).balance_cents
            with lock:
                results.append(outcome)
                lowest[0] = min(lowest[0], current)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == workers
    assert results.count("ok") == balance // amount == Reservation.objects.count()
    account.refresh_from_db()
    assert account.balance_cents == balance - (balance // amount) * amount
    assert lowest[0] >= 0
    call_command("verify_ledger")


def test_concurrent_capture_and_release_of_the_same_order() -> None:
    nir_hash = h(make_nir(4343))
    account = credit_rights(nir_hash, 50_000, "seed2")
    services.reserve(order_ref="R-1", quote=services.quote(nir_hash=nir_hash, price_cents=30_000, is_job_seeker=True))
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def work(i: int) -> None:
        try:
            barrier.wait()
            try:
                (services.capture if i % 2 else services.release)(order_ref="R-1")
                outcomes.append("capture" if i % 2 else "release")
            except Exception as exc:
                outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    status = Reservation.objects.get(order_ref="R-1").status
    account.refresh_from_db()
    assert account.balance_cents == (20_000 if status == "captured" else 50_000)
    assert "ReservationClosed" in outcomes
    call_command("verify_ledger")


def test_zz_verify_ledger_after_concurrency() -> None:
    assert connection.vendor == "postgresql"
    call_command("verify_ledger")
