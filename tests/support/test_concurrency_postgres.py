"""Real threads on PostgreSQL: two agents deciding at once never move money twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from opencpf.core.exceptions import DomainError
from opencpf.rights import adjustments
from opencpf.rights.enums import AccountKind
from opencpf.rights.models import LedgerTransaction
from opencpf.rights.selectors import balances, ledger_verify
from opencpf.support import disputes
from opencpf.support.models import Dispute
from tests.support.conftest import make_role_agent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(workers: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(workers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            try:
                fn()
                outcome = "ok"
            except DomainError as exc:
                outcome = exc.code
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_approvers_at_once_post_one_movement(holder):
    proposer = make_role_agent("support", "n1@operateur.fr")
    approvers = [make_role_agent("case_manager", f"m{i}@operateur.fr") for i in range(4)]
    proposal = adjustments.adjustment_propose(
        holder=holder, agent=proposer, account_kind=AccountKind.RIGHTS, amount_cents=12_300, reason="Crédit oublié"
    )
    outcomes = race(
        [lambda a=a: adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=a, approve=True) for a in approvers]
    )
    assert outcomes == ["adjustment_closed"] * 3 + ["ok"]
    assert balances(nir_hash=holder.nir_hash).rights_cents == 12_300
    assert LedgerTransaction.objects.filter(kind="adjustment").count() == 1 and ledger_verify() == []


def test_concurrent_refunds_never_exceed_what_was_debited(in_training, buyer):
    dispute = disputes.dispute_open(
        actor=buyer.user, dossier_number=in_training.number, reason="not_delivered", body="Aucune séance réalisée."
    )
    agents = [make_role_agent("case_manager", f"r{i}@operateur.fr") for i in range(4)]
    # 4 x 400 € asked at once on 1 000 € debited: two pass, two are refused.
    outcomes = race(
        [
            lambda a=a: disputes.dispute_decide(
                dispute_id=dispute.pk, agent=a, action="refund", note="Remboursement", amount_cents=40_000
            )
            for a in agents
        ]
    )
    assert outcomes == ["ok", "ok", "refund_invalid", "refund_invalid"]
    assert Dispute.objects.get(pk=dispute.pk).refunded_cents == 80_000
    assert balances(nir_hash=buyer.nir_hash).total_cents == 80_000 and ledger_verify() == []
