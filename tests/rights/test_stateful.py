"""Hypothesis state machine: random credits, top-ups, reserves, captures, releases and corrections
against a simple reference model of the holder's money."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from opencpf.rights import services
from opencpf.rights.enums import AccountKind, FunderKind, TransactionKind
from opencpf.rights.exceptions import InsufficientFunds, ReservationClosed
from opencpf.rights.ledger import holder_account, platform_account, post
from opencpf.rights.selectors import balances, ledger_verify
from tests.rights.helpers import h, make_nir

COUNTER = iter(range(10**6))


class LedgerMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    @initialize()
    def setup(self) -> None:
        i = next(COUNTER)
        self.nir = make_nir(500_000 + i)
        self.nir_hash = h(self.nir)
        self.funder = services.funder_create(name="Région", kind=FunderKind.REGION, reference=f"region-{i}")
        self.model = {"rights": 0, "topup": 0}
        self.open: dict[str, dict[str, int]] = {}
        self.closed: set[str] = set()
        self.n = 0

    def _key(self) -> str:
        self.n += 1
        return f"k{self.n}"

    @rule(amount=st.integers(-20_000, 60_000))
    def credit_or_correction(self, amount: int) -> None:
        amount = max(amount, -self.model["rights"])  # a correction never debits more than the balance
        if amount == 0:
            return
        with transaction.atomic():
            post(
                key=f"{self.nir_hash[:8]}{self._key()}",
                kind=TransactionKind.CREDIT_YEAR,
                lines=[
                    (platform_account(AccountKind.OPERATOR_FUNDING, "sm"), -amount),
                    (holder_account(AccountKind.RIGHTS, self.nir_hash), amount),
                ],
            )
        self.model["rights"] += amount

    @rule(amount=st.integers(1, 50_000), replay=st.booleans())
    def topup(self, amount: int, replay: bool) -> None:
        key = self._key()
        services.topup_add(
            funder=self.funder, nir=self.nir, birth_name="Martin", amount_cents=amount, idempotency_key=key
        )
        if replay:
            services.topup_add(
                funder=self.funder, nir=self.nir, birth_name="Martin", amount_cents=amount, idempotency_key=key
            )
        self.model["topup"] += amount

    @rule(target=orders, price=st.integers(0, 120_000), stale=st.booleans())
    def reserve(self, price: int, stale: bool) -> str:
        ref = f"O{self.nir_hash[:8]}{self._key()}"
        q = services.quote(nir_hash=self.nir_hash, price_cents=price, is_job_seeker=True)
        expect_rights = min(price, self.model["rights"])
        expect_topup = min(price - expect_rights, self.model["topup"])
        assert (q.rights_cents, q.plain_cents) == (expect_rights, expect_topup)
        if stale and self.model["rights"] > 0:
            # money leaves between the quote and the reservation: the reservation must be refused whole
            self.credit_or_correction(-self.model["rights"])
            try:
                services.reserve(order_ref=ref, quote=q)
            except InsufficientFunds:
                assert expect_rights > 0
                return ref
            assert expect_rights == 0
        else:
            services.reserve(order_ref=ref, quote=q)
            services.reserve(order_ref=ref, quote=q)  # replay
        self.model["rights"] -= q.rights_cents
        self.model["topup"] -= q.plain_cents
        self.open[ref] = {"rights": q.rights_cents, "topup": q.plain_cents}
        return ref

    @rule(ref=orders)
    def capture(self, ref: str) -> None:
        if ref not in self.open and ref not in self.closed:
            return
        try:
            services.capture(order_ref=ref)
        except ReservationClosed:
            assert ref in self.closed
            return
        self.open.pop(ref, None)
        self.closed.add(ref)

    @rule(ref=orders)
    def release(self, ref: str) -> None:
        if ref not in self.open and ref not in self.closed:
            return
        try:
            services.release(order_ref=ref)
        except ReservationClosed:
            assert ref in self.closed
            return
        if ref in self.open:
            back = self.open.pop(ref)
            self.model["rights"] += back["rights"]
            self.model["topup"] += back["topup"]
        self.closed.add(ref)

    @invariant()
    def matches_model(self) -> None:
        if not hasattr(self, "model"):
            return
        b = balances(nir_hash=self.nir_hash)
        assert (b.rights_cents, b.topup_cents) == (self.model["rights"], self.model["topup"])
        assert b.held_cents == sum(o["rights"] + o["topup"] for o in self.open.values())
        assert ledger_verify() == []


@pytest.mark.django_db
def test_ledger_state_machine() -> None:
    # One database for all examples: each example works on a fresh NIR and funder.
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=30, stateful_step_count=25, deadline=None))
