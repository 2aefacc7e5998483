"""Agents' corrections of rights: two-person rule, keyed ledger movement, refusals change nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from opencpf.rights import adjustments
from opencpf.rights.enums import AccountKind, AdjustmentStatus
from opencpf.rights.exceptions import AdjustmentClosed, AdjustmentNotAllowed, AdjustmentOwnProposal, InsufficientFunds
from opencpf.rights.models import Adjustment, LedgerTransaction
from opencpf.rights.selectors import balances, ledger_verify
from tests.support.conftest import make_role_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(db):  # type: ignore[no-untyped-def]
    return (
        make_role_agent("support", "n1@operateur.fr"),
        make_role_agent("case_manager", "n2@operateur.fr"),
        make_role_agent("case_manager", "n2bis@operateur.fr"),
    )


def test_a_proposal_is_approved_by_another_agent_and_posted_once(holder, agents):
    support, manager, _ = agents
    proposal = adjustments.adjustment_propose(
        holder=holder, agent=support, account_kind=AccountKind.RIGHTS, amount_cents=25_000, reason="Crédit 2024 oublié"
    )
    assert proposal.status == AdjustmentStatus.PENDING and balances(nir_hash=holder.nir_hash).rights_cents == 0
    done = adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=manager, approve=True)
    assert done.status == AdjustmentStatus.APPROVED and done.decided_by == manager
    assert balances(nir_hash=holder.nir_hash).rights_cents == 25_000
    assert LedgerTransaction.objects.get(idempotency_key=f"adjustment:{proposal.pk}").amount_cents == 25_000
    with pytest.raises(AdjustmentClosed):
        adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=manager, approve=True)
    assert balances(nir_hash=holder.nir_hash).rights_cents == 25_000 and ledger_verify() == []


def test_nobody_approves_their_own_proposal(holder, agents):
    _, manager, _ = agents
    proposal = adjustments.adjustment_propose(
        holder=holder, agent=manager, account_kind=AccountKind.RIGHTS, amount_cents=10_000, reason="Erreur de saisie"
    )
    with pytest.raises(AdjustmentOwnProposal):
        adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=manager, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == AdjustmentStatus.PENDING and not LedgerTransaction.objects.filter(kind="adjustment")
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Adjustment.objects.filter(pk=proposal.pk).update(decided_by=manager)


def test_support_may_propose_but_not_approve(holder, agents):
    support, manager, _ = agents
    proposal = adjustments.adjustment_propose(
        holder=holder, agent=manager, account_kind=AccountKind.DIF, amount_cents=1_500, reason="Heure DIF oubliée"
    )
    with pytest.raises(AdjustmentNotAllowed):
        adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=support, approve=True)
    assert Adjustment.objects.get(pk=proposal.pk).status == AdjustmentStatus.PENDING


def test_a_withdrawal_above_the_balance_is_refused_and_stays_pending(holder, agents):
    support, manager, other = agents
    proposal = adjustments.adjustment_propose(
        holder=holder, agent=support, account_kind=AccountKind.RIGHTS, amount_cents=-5_000, reason="Crédit en double"
    )
    with pytest.raises(InsufficientFunds):
        adjustments.adjustment_decide(adjustment_id=proposal.pk, agent=manager, approve=True)
    assert Adjustment.objects.get(pk=proposal.pk).status == AdjustmentStatus.PENDING
    refused = adjustments.adjustment_decide(
        adjustment_id=proposal.pk, agent=other, approve=False, reason="Pas de doublon"
    )
    assert refused.status == AdjustmentStatus.REFUSED and balances(nir_hash=holder.nir_hash).rights_cents == 0
