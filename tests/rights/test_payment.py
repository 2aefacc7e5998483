from __future__ import annotations

import pytest
from django.core.management import call_command

from opencpf.catalogue.models import Certification
from opencpf.rights import services
from opencpf.rights.enums import FunderKind, ReservationStatus
from opencpf.rights.exceptions import InsufficientFunds, ReservationClosed, ReservationConflict
from opencpf.rights.models import Account, Entry, LedgerTransaction, Reservation
from opencpf.rights.payment import Source, split_price
from opencpf.rights.selectors import balances, ledger_verify, statement
from tests.rights.helpers import NIR_A, credit_rights

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert(db):  # type: ignore[no-untyped-def]
    return Certification.objects.create(code="RNCP35185", kind="RNCP", title="Développeur web")


def test_split_order_and_copayment() -> None:
    sources = [Source(3, "plain", 10_000), Source(1, "rights", 50_000), Source(2, "earmarked", 20_000)]
    lines, copay, exemption, rest = split_price(
        price_cents=100_000, sources=sources, copayment_param_cents=10_223, is_job_seeker=False
    )
    assert [(x.category, x.amount_cents) for x in lines] == [
        ("rights", 50_000),
        ("earmarked", 20_000),
        ("plain", 10_000),
    ]
    assert (copay, exemption) == (10_223, "")
    assert rest == 100_000 - 10_223 - 80_000


def test_copayment_exemptions_and_cap_at_price() -> None:
    rights = [Source(1, "rights", 500_000)]
    assert split_price(price_cents=5_000, sources=rights, copayment_param_cents=10_223, is_job_seeker=False)[1:] == (
        5_000,
        "",
        0,
    )
    lines, copay, exemption, rest = split_price(
        price_cents=5_000, sources=rights, copayment_param_cents=10_223, is_job_seeker=True
    )
    assert (copay, exemption, rest, lines[0].amount_cents) == (0, "job_seeker", 0, 5_000)
    employer = [Source(1, "rights", 1_000), Source(2, "plain", 100, is_employer=True)]
    lines, copay, exemption, rest = split_price(
        price_cents=50_000, sources=employer, copayment_param_cents=10_223, is_job_seeker=False
    )
    assert (copay, exemption, rest) == (0, "employer_topup", 48_900)


def test_quote_uses_matching_earmark_only(holder, frozen_clock, cert) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 30_000, "c1")
    opco = services.funder_create(name="OPCO Atlas", kind=FunderKind.OPCO, reference="opco-atlas")
    services.topup_add(
        funder=opco,
        nir=NIR_A,
        birth_name="MARTIN",
        amount_cents=40_000,
        certification_code=cert.code,
        idempotency_key="t1",
    )
    services.topup_add(
        funder=opco, nir=NIR_A, birth_name="Martin", amount_cents=40_000, certification_code="", idempotency_key="t2"
    )
    q_other = services.quote(nir_hash=holder.nir_hash, price_cents=100_000, certification_code="RS0001")
    assert (q_other.rights_cents, q_other.earmarked_cents, q_other.plain_cents) == (30_000, 0, 40_000)
    q = services.quote(nir_hash=holder.nir_hash, price_cents=100_000, certification_code=cert.code)
    assert (q.rights_cents, q.earmarked_cents, q.plain_cents) == (30_000, 40_000, 19_777)
    assert q.copayment_cents == 10_223 and q.holder_rest_cents == 0


def test_reserve_capture_release_are_idempotent(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 100_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=60_000)
    r1 = services.reserve(order_ref="D-1", quote=q, provider_ref="12345678900011")
    r2 = services.reserve(order_ref="D-1", quote=q)
    assert r1.pk == r2.pk
    account.refresh_from_db()
    assert account.balance_cents == 100_000 - (60_000 - 10_223)
    services.capture(order_ref="D-1")
    services.capture(order_ref="D-1")
    account.refresh_from_db()
    assert account.balance_cents == 100_000 - (60_000 - 10_223)
    assert LedgerTransaction.objects.filter(reference="D-1").count() == 2
    with pytest.raises(ReservationClosed):
        services.release(order_ref="D-1")
    assert ledger_verify() == []


def test_release_returns_everything(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 100_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=60_000, is_job_seeker=True)
    services.reserve(order_ref="D-2", quote=q)
    services.release(order_ref="D-2")
    services.release(order_ref="D-2")
    account.refresh_from_db()
    assert account.balance_cents == 100_000
    assert Reservation.objects.get(order_ref="D-2").status == ReservationStatus.RELEASED
    with pytest.raises(ReservationClosed):
        services.capture(order_ref="D-2")
    assert ledger_verify() == []


def test_partial_capture_returns_rest(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 100_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=80_000, is_job_seeker=True)
    services.reserve(order_ref="D-3", quote=q)
    services.capture(order_ref="D-3", amount_cents=20_000, provider_ref="prov")
    account.refresh_from_db()
    assert account.balance_cents == 80_000
    assert ledger_verify() == []


def test_stale_quote_refused_and_nothing_changes(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 50_000, "c1")
    q1 = services.quote(nir_hash=holder.nir_hash, price_cents=50_000, is_job_seeker=True)
    q2 = services.quote(nir_hash=holder.nir_hash, price_cents=50_000, is_job_seeker=True)
    services.reserve(order_ref="A", quote=q1)
    entries, txns = Entry.objects.count(), LedgerTransaction.objects.count()
    with pytest.raises(InsufficientFunds):
        services.reserve(order_ref="B", quote=q2)
    assert (Entry.objects.count(), LedgerTransaction.objects.count()) == (entries, txns)
    assert not Reservation.objects.filter(order_ref="B").exists()
    account.refresh_from_db()
    assert account.balance_cents == 0
    with pytest.raises(ReservationConflict):
        services.reserve(
            order_ref="A", quote=services.quote(nir_hash=holder.nir_hash, price_cents=1, is_job_seeker=True)
        )


def test_statement_running_balance(holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 50_000, "c1")
    q = services.quote(nir_hash=holder.nir_hash, price_cents=20_000, is_job_seeker=True)
    services.reserve(order_ref="S-1", quote=q)
    services.release(order_ref="S-1")
    lines = statement(nir_hash=holder.nir_hash)
    assert [(x.amount_cents, x.balance_cents) for x in lines] == [(50_000, 50_000), (-20_000, 30_000), (20_000, 50_000)]
    assert balances(nir_hash=holder.nir_hash).rights_cents == 50_000


def test_db_check_refuses_negative_holder_balance(holder) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction
    from django.db.models import F

    account = credit_rights(holder.nir_hash, 100, "c1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance_cents=F("balance_cents") - 101)
    account.refresh_from_db()
    assert account.balance_cents == 100


def test_verify_ledger_command_detects_tampering(holder) -> None:  # type: ignore[no-untyped-def]
    account = credit_rights(holder.nir_hash, 10_000, "c1")
    call_command("verify_ledger")
    Account.objects.filter(pk=account.pk).update(balance_cents=9_000)
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1


def test_database_refuses_to_change_ledger_rows(holder) -> None:  # type: ignore[no-untyped-def]
    from django.db import DatabaseError, transaction

    credit_rights(holder.nir_hash, 10_000, "c1")
    entry = Entry.objects.filter(account__nir_hash=holder.nir_hash).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount_cents=99_999)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerTransaction.objects.filter(pk=entry.transaction_id).update(label="changed")
    entry.refresh_from_db()
    assert entry.amount_cents == 10_000


def test_quote_is_one_query(holder, frozen_clock, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 10_000, "c1")
    with django_assert_num_queries(1):
        services.quote(nir_hash=holder.nir_hash, price_cents=50_000)
