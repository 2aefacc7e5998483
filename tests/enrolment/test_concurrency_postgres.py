"""On PostgreSQL, real threads: the holder accepting while the deadline job expires the same dossier ends in
exactly one outcome, with money consistent with it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.enrolment import services
from opencpf.enrolment.enums import DossierState, Event
from opencpf.enrolment.models import CardPayment, Dossier
from opencpf.rights.models import Reservation
from opencpf.rights.selectors import ledger_verify
from tests.enrolment.conftest import credit, rights_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 8


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads, each on its own connection; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except DomainError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_accept_racing_the_deadline_job_has_exactly_one_outcome(buyer, staff, session):
    outcomes = set()
    for i in range(ROUNDS):
        credit(buyer, 100_000, key=f"race-{i}")
        clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
        dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
        services.dossier_propose(dossier_id=dossier.pk, actor=staff)
        balance_before = rights_balance(buyer)
        clock.freeze(dt.datetime(2026, 3, 6, 23, 59))  # last minute of the acceptance deadline day
        pk = dossier.pk
        accept, expire = race(
            lambda: services.dossier_accept(dossier_id=pk, actor=buyer.user, strong_session=True),  # noqa: B023
            lambda: services.dossier_apply_deadline(dossier_id=pk, on=dt.date(2026, 3, 7)),  # noqa: B023
        )
        dossier.refresh_from_db()
        accepted = not isinstance(accept, Exception)
        expired = expire == Event.EXPIRE_ACCEPTANCE
        assert accepted != expired, (accept, expire)
        log = list(dossier.transitions.values_list("event", flat=True))
        assert log.count(Event.ACCEPT) + log.count(Event.EXPIRE_ACCEPTANCE) == 1
        reservations = Reservation.objects.filter(order_ref=dossier.number)
        if accepted:
            outcomes.add("accepted")
            assert dossier.state == DossierState.ACCEPTED
            assert reservations.get().held_cents == dossier.reserved_cents == min(balance_before, 150_000 - 10_223)
            assert CardPayment.objects.filter(dossier=dossier).count() == 1
            assert rights_balance(buyer) == balance_before - dossier.reserved_cents
        else:
            outcomes.add("expired")
            assert dossier.state == DossierState.REJECTED_WITHOUT_TITULAIRE_SUITE
            assert not reservations.exists() and dossier.reserved_cents == 0
            assert not CardPayment.objects.filter(dossier=dossier).exists()
            assert rights_balance(buyer) == balance_before
        assert ledger_verify() == []
    assert outcomes  # which side wins is up to the scheduler; each round has exactly one


def test_double_accept_in_parallel_reserves_once(buyer, staff, session):
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)

    def accept() -> Any:
        return services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)

    results = race(accept, accept, accept)
    assert all(isinstance(r, Dossier) for r in results), results
    assert Reservation.objects.filter(order_ref=dossier.number).count() == 1
    assert dossier.transitions.filter(event=Event.ACCEPT).count() == 1
    assert rights_balance(buyer) == 0
    assert ledger_verify() == []


def test_two_deadline_jobs_at_once_apply_each_lapse_once(buyer, session):
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    ids = [services.dossier_request(actor=buyer.user, session_id=session.pk).pk for _ in range(5)]
    race(*(lambda: services.expire_deadlines(on=dt.date(2026, 3, 5)) for _ in range(3)))
    for pk in ids:
        dossier = Dossier.objects.get(pk=pk)
        assert dossier.state == DossierState.CANCELED_BY_ORGANISM
        assert dossier.transitions.filter(event=Event.EXPIRE_ANSWER).count() == 1
