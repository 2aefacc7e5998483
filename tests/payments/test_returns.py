"""A bank's status report (pain.002): rejected transfers undone, dossiers paid again later, books clean; every
refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.enrolment.enums import BillingState
from opencpf.enrolment.models import Dossier, Message
from opencpf.identity.models import UserKind
from opencpf.identity.nir import decrypt
from opencpf.identity.services import staff_user_create
from opencpf.payments import bank_details, runs
from opencpf.payments.holds import holds_for
from opencpf.payments.models import (
    HoldSource,
    PaymentHold,
    PaymentItem,
    PaymentItemKind,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    PaymentStatusReport,
    ProviderRecovery,
)
from opencpf.payments.reconcile import reconcile
from opencpf.payments.returns import StatusReportRefused, import_status_report, reason_label
from opencpf.rights.enums import AccountKind
from opencpf.rights.models import Entry, LedgerTransaction
from opencpf.rights.selectors import ledger_verify
from tests.conftest import login_agent
from tests.enrolment.conftest import account_total
from tests.payments.helpers import advance_waiting, bank_account, entered, provider_with_staff, validated
from tests.payments.pain002 import Tx, status_report

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"
NEW_IBAN, NEW_BIC = "FR7610096181180003012345661", "CMCIFRPP"


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    user = staff_user_create(email="paiement@example.org", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="payment_officer"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def sent(buyer, staff, provider, officer):  # type: ignore[no-untyped-def]
    """A sent run of two transfers: provider A (two dossiers, a sanction of 20 000 deducted) and provider B."""
    bank_account(provider, staff)
    other, other_staff = provider_with_staff("35600000000048", "Autre OF")
    bank_account(other, other_staff)
    ProviderRecovery.objects.create(
        provider=provider,
        key="sanction:1",
        amount_cents=20_000,
        source=HoldSource.SANCTION,
        source_ref="S1",
        reason="Sanction",
        created_at=clock.now(),
    )
    a1 = validated(entered(buyer, staff, provider))
    a2 = validated(entered(buyer, staff, provider, price=80_000))
    b1 = validated(entered(buyer, other_staff, other, price=100_000))
    (run,) = runs.payment_run(by=officer).runs
    runs.payment_run_mark_sent(run=run.reference, by=officer)
    line_a = PaymentLine.objects.get(run=run, provider=provider)
    line_b = PaymentLine.objects.get(run=run, provider=other)
    assert (line_a.gross_cents, line_a.recovered_cents, line_a.amount_cents) == (230_000, 20_000, 210_000)
    return {"run": run, "a": line_a, "b": line_b, "dossiers": (a1, a2, b1), "other": other}


def snapshot() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        PaymentStatusReport.objects.count(),
        list(PaymentLine.objects.order_by("id").values_list("rejected_at", "rejection_code")),
        list(PaymentItem.objects.order_by("id").values_list("returned_at", flat=True)),
        list(Dossier.objects.order_by("id").values_list("paid_cents", "billing_state")),
        list(ProviderRecovery.objects.order_by("id").values_list("recovered_cents", flat=True)),
        PaymentHold.objects.count(),
        Message.objects.count(),
        AuditEvent.objects.filter(action="payments.status_report_imported").count(),
    )


def books_are_clean() -> None:
    assert ledger_verify() == []
    assert reconcile().problems == []


def test_rejected_transfer_is_undone_and_the_provider_held_and_told(sent, provider, staff, officer):
    run, line_a, line_b = sent["run"], sent["a"], sent["b"]
    a1, a2, b1 = sent["dossiers"]
    paid_before = account_total(AccountKind.PROVIDER_PAID)
    data = status_report(
        run_reference=run.reference,
        version="03",
        group_status="PART",
        transactions=[
            Tx(line_a.end_to_end_id, "RJCT", "AC04", amount_cents=210_000),
            Tx(line_b.end_to_end_id, "ACSC", amount_cents=100_000),
        ],
    )
    outcome = import_status_report(data=data, by=officer, reason="Relevé de la banque du 2 juin")
    assert outcome.created and [line.pk for line in outcome.rejected] == [line_a.pk]
    report = outcome.report
    assert (report.message_type, report.group_status, report.rejected_count, report.rejected_cents) == (
        "pain.002.001.03",
        "PART",
        1,
        210_000,
    )
    assert report.statuses == {"RJCT": 1, "ACSC": 1}

    line_a.refresh_from_db()
    line_b.refresh_from_db()
    assert (line_a.rejection_code, line_a.rejection_label, line_a.status_report_id) == (
        "AC04",
        "Compte clos",
        report.pk,
    )
    assert line_a.rejected_at is not None and line_b.rejected_at is None
    # The ledger: the line's posting reversed entry by entry, balanced.
    original = LedgerTransaction.objects.get(idempotency_key=f"payment:{line_a.key}")
    reversal = LedgerTransaction.objects.get(idempotency_key=f"payment-return:{line_a.end_to_end_id}")
    entries = lambda t: sorted(Entry.objects.filter(transaction=t).values_list("account_id", "amount_cents"))  # noqa: E731
    assert entries(reversal) == sorted((a, -c) for a, c in entries(original))
    assert account_total(AccountKind.PROVIDER_PAID) == paid_before - 210_000
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 230_000
    assert account_total(AccountKind.OPERATOR_FUNDING, runs.RECOVERIES_REF) == 0
    # The sanction is owed again; the dossiers are payable again; provider B is untouched.
    assert ProviderRecovery.objects.get(key="sanction:1").recovered_cents == 0
    assert list(
        Dossier.objects.filter(pk__in=[a1.pk, a2.pk, b1.pk]).order_by("id").values_list("paid_cents", "billing_state")
    ) == [(0, BillingState.TO_BILL), (0, BillingState.TO_BILL), (100_000, BillingState.BILLED)]
    assert PaymentItem.objects.filter(line=line_a, returned_at__isnull=False).count() == 2
    # Held until new bank details are approved; the provider's staff are told, without any NIR.
    hold = PaymentHold.objects.get(source=HoldSource.BANK_RETURN)
    assert (hold.provider_id, hold.source_ref, hold.lifted_at) == (provider.pk, line_a.end_to_end_id, None)
    assert "Compte clos" in holds_for(a1)[0]
    message = Message.objects.get(recipient=staff, subject__startswith="Virement")
    assert message.subject == f"Virement {line_a.end_to_end_id} rejeté par votre banque"
    assert "Motif : Compte clos" in message.body and "mettez à jour vos coordonnées bancaires" in message.body
    assert a1.number in message.body and decrypt(a1.holder.nir_encrypted) not in message.body
    event = AuditEvent.objects.get(action="payments.status_report_imported")
    assert event.reason == "Relevé de la banque du 2 juin" and event.data["rejected"] == [line_a.end_to_end_id]
    books_are_clean()
    # The held provider is left out of the next run.
    outcome = runs.payment_run(by=officer)
    assert outcome.runs == [] and outcome.skipped == {runs.SKIP_PROVIDER_HOLD: 2}


def test_same_file_twice_changes_nothing_the_second_time(sent, officer):
    run, line_a = sent["run"], sent["a"]
    data = status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC01")])
    import_status_report(data=data, by=officer, reason="Relevé")
    before = snapshot()
    again = import_status_report(data=data, by=officer, reason="Relevé, encore")
    assert not again.created and again.rejected == []
    assert snapshot() == before
    # Another file rejecting the same transfer again does not undo it twice.
    other = status_report(
        run_reference=run.reference, message_id="BNK-STS-0002", transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC01")]
    )
    third = import_status_report(data=other, by=officer, reason="Second relevé")
    assert third.created and third.rejected == []
    assert LedgerTransaction.objects.filter(idempotency_key__startswith="payment-return:").count() == 1
    assert snapshot()[2:8] == before[2:8]
    books_are_clean()


def test_group_rejection_rejects_every_transfer_of_the_run(sent, officer):
    run, line_a, line_b = sent["run"], sent["a"], sent["b"]
    data = status_report(
        run_reference=run.reference,
        group_status="RJCT",
        group_reason="FF01",
        original_count=2,
        original_sum_cents=310_000,
    )
    outcome = import_status_report(data=data, by=officer, reason="Fichier rejeté")
    assert {line.pk for line in outcome.rejected} == {line_a.pk, line_b.pk}
    assert set(PaymentLine.objects.values_list("rejection_code", "rejection_label")) == {
        ("FF01", "Format de fichier invalide")
    }
    assert not PaymentItem.objects.filter(returned_at__isnull=True).exists()
    assert account_total(AccountKind.PROVIDER_PAID) == 0
    assert PaymentHold.objects.filter(source=HoldSource.BANK_RETURN).count() == 2
    books_are_clean()
    # Confirming the run afterwards pays nothing that was rejected.
    runs.payment_run_confirm(run=run.reference, by=officer)
    assert not Dossier.objects.filter(billing_state=BillingState.PAID).exists()


def test_payment_block_rejection_without_transactions_rejects_every_transfer(sent, officer):
    run = sent["run"]
    data = status_report(run_reference=run.reference, version="03", block_status="RJCT", transactions=[])
    outcome = import_status_report(data=data, by=officer, reason="Lot rejeté")
    assert len(outcome.rejected) == 2
    assert {line.rejection_label for line in outcome.rejected} == {"Motif non précisé par la banque"}
    books_are_clean()


@pytest.mark.parametrize("status", ["ACCP", "ACSC", "ACTC", "PDNG"])
def test_other_statuses_are_recorded_and_change_nothing(sent, officer, status):
    run, line_a, line_b = sent["run"], sent["a"], sent["b"]
    before = snapshot()
    data = status_report(
        run_reference=run.reference,
        group_status=status,
        transactions=[Tx(line_a.end_to_end_id, status), Tx(line_b.end_to_end_id, status, amount_cents=100_000)],
    )
    outcome = import_status_report(data=data, by=officer, reason="Relevé")
    assert outcome.created and outcome.rejected == []
    assert outcome.report.statuses == {status: 2}
    after = snapshot()
    assert after[0] == before[0] and after[2:8] == before[2:8]  # only the report and its audit event are new
    assert after[1] == before[1] + 1
    books_are_clean()


def _bad_reports(run: PaymentRun, line_a: PaymentLine) -> dict[str, tuple[bytes, str]]:
    e2e = line_a.end_to_end_id
    return {
        "not_xml": (b"ceci n'est pas un fichier", "status_report_unreadable"),
        "doctype": (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document>&x;</Document>',
            "status_report_unreadable",
        ),
        "pain001": (bytes(run.file_xml), "status_report_wrong_type"),
        "wrong_namespace": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e)], namespace="urn:example:pain.002"),
            "status_report_wrong_type",
        ),
        "other_version": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e)], version="05"),
            "status_report_wrong_type",
        ),
        "unknown_run": (
            status_report(run_reference="PR20990101-001", transactions=[Tx(e2e)]),
            "status_report_unknown_run",
        ),
        "not_a_pain001": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e)], original_type="pain.008.001.08"),
            "status_report_unknown_run",
        ),
        "unknown_transaction": (
            status_report(run_reference=run.reference, transactions=[Tx(f"{run.reference}-999999", "RJCT", "AC01")]),
            "status_report_unknown_transaction",
        ),
        "amount": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e, "RJCT", "AC01", amount_cents=230_000)]),
            "status_report_amount_mismatch",
        ),
        "currency": (
            status_report(
                run_reference=run.reference,
                transactions=[Tx(e2e, "RJCT", "AC01", amount_cents=210_000, currency="USD")],
            ),
            "status_report_amount_mismatch",
        ),
        "control_sum": (
            status_report(run_reference=run.reference, group_status="RJCT", original_sum_cents=999),
            "status_report_amount_mismatch",
        ),
        "unknown_status": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e, "NOPE")]),
            "status_report_malformed",
        ),
        "no_status": (
            status_report(run_reference=run.reference, transactions=[Tx(e2e, None)]),
            "status_report_malformed",
        ),
        "no_end_to_end_id": (
            status_report(run_reference=run.reference, transactions=[Tx("")]),
            "status_report_malformed",
        ),
    }


BAD = [
    "not_xml",
    "doctype",
    "pain001",
    "wrong_namespace",
    "other_version",
    "unknown_run",
    "not_a_pain001",
    "unknown_transaction",
    "amount",
    "currency",
    "control_sum",
    "unknown_status",
    "no_status",
    "no_end_to_end_id",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_reports_are_refused_with_a_stable_code_and_nothing_changes(sent, officer, case):
    data, code = _bad_reports(sent["run"], sent["a"])[case]
    before = snapshot()
    with pytest.raises(StatusReportRefused) as refused:
        import_status_report(data=data, by=officer, reason="Relevé")
    assert refused.value.code == code
    assert refused.value.message.startswith("Rapport de la banque refusé, rien n'a été modifié")
    assert snapshot() == before


def test_one_bad_transaction_refuses_the_whole_file_and_lists_each_problem(sent, officer):
    run, line_a, line_b = sent["run"], sent["a"], sent["b"]
    before = snapshot()
    data = status_report(
        run_reference=run.reference,
        transactions=[
            Tx(line_a.end_to_end_id, "RJCT", "AC04", amount_cents=210_000),  # good on its own
            Tx(line_b.end_to_end_id, "RJCT", "AC01", amount_cents=1),
            Tx("PR20260601-001-424242", "RJCT", "AC01"),
        ],
    )
    with pytest.raises(StatusReportRefused) as refused:
        import_status_report(data=data, by=officer, reason="Relevé")
    assert [p.code for p in refused.value.problems] == [
        "status_report_amount_mismatch",
        "status_report_unknown_transaction",
    ]
    assert line_b.end_to_end_id in refused.value.problems[0].message
    assert snapshot() == before


def test_a_run_not_sent_to_the_bank_is_refused(buyer, staff, provider, officer):
    bank_account(provider, staff)
    validated(entered(buyer, staff, provider))
    (run,) = runs.payment_run(by=officer).runs
    line = PaymentLine.objects.get(run=run)
    before = snapshot()
    with pytest.raises(StatusReportRefused) as refused:
        import_status_report(
            data=status_report(run_reference=run.reference, transactions=[Tx(line.end_to_end_id)]),
            by=officer,
            reason="Relevé",
        )
    assert refused.value.code == "status_report_run_state"
    assert snapshot() == before
    with pytest.raises(StatusReportRefused) as no_reason:
        import_status_report(data=b"<x/>", by=officer, reason="  ")
    assert no_reason.value.code == "status_report_reason_required"


def test_rejected_then_new_bank_details_then_paid_by_the_next_run_books_clean(sent, provider, staff, officer):
    """run -> sent -> pain.002 RJCT for one provider -> new IBAN approved -> next run pays it -> confirm -> clean."""
    run, line_a = sent["run"], sent["a"]
    a1, a2, b1 = sent["dossiers"]
    data = status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "MD07")])
    import_status_report(data=data, by=officer, reason="Relevé")
    runs.payment_run_confirm(run=run.reference, by=officer)  # provider B was paid
    assert Dossier.objects.get(pk=b1.pk).billing_state == BillingState.PAID
    assert Dossier.objects.get(pk=a1.pk).billing_state == BillingState.TO_BILL
    books_are_clean()

    account = bank_details.bank_details_request_change(
        provider=provider,
        iban=NEW_IBAN,
        bic=NEW_BIC,
        account_holder="FormaPro SAS",
        requested_by=staff,
        strong_session=True,
    )
    assert runs.payment_run(by=officer).runs == []  # still held
    bank_details.bank_details_decide(account_id=account.pk, officer=officer, approve=True, reason="RIB conforme")
    hold = PaymentHold.objects.get(source=HoldSource.BANK_RETURN)
    assert hold.lifted_at is not None and hold.lifted_by == officer
    clock.freeze(clock.now() + dt.timedelta(days=30))  # past the hold after a change of IBAN

    (second,) = runs.payment_run(by=officer).runs
    line = PaymentLine.objects.get(run=second)
    assert (line.provider_id, line.iban, line.gross_cents, line.recovered_cents, line.amount_cents) == (
        provider.pk,
        NEW_IBAN,
        230_000,
        20_000,
        210_000,
    )
    runs.payment_run_mark_sent(run=second.reference, by=officer)
    runs.payment_run_confirm(run=second.reference, by=officer)
    for dossier, due in ((a1, 150_000), (a2, 80_000), (b1, 100_000)):
        d = Dossier.objects.get(pk=dossier.pk)
        assert (d.paid_cents, d.billing_state) == (due, BillingState.PAID)
        assert PaymentItem.objects.filter(dossier=d, returned_at__isnull=True).count() == 1
    assert ProviderRecovery.objects.get(key="sanction:1").recovered_cents == 20_000
    assert account_total(AccountKind.PROVIDER_PAID) == 210_000 + 100_000
    assert account_total(AccountKind.PROVIDER_PAYABLE, SIRET) == 0
    books_are_clean()
    call_command("reconcile")


def test_rejected_advance_is_paid_again_as_an_advance(buyer, staff, provider, officer):
    bank_account(provider, staff)
    dossier = advance_waiting(entered(buyer, staff, provider), advance=45_000)
    (run,) = runs.payment_run(by=officer).runs
    runs.payment_run_mark_sent(run=run.reference, by=officer)
    line = PaymentLine.objects.get(run=run)
    import_status_report(
        data=status_report(run_reference=run.reference, transactions=[Tx(line.end_to_end_id, "RJCT", "AC06")]),
        by=officer,
        reason="Relevé",
    )
    d = Dossier.objects.get(pk=dossier.pk)
    assert (d.billing_state, d.paid_cents) == (BillingState.DEPOSIT_WAIT, 0)
    assert reason_label("AC06") == "Compte bloqué"
    PaymentHold.objects.filter(source=HoldSource.BANK_RETURN).update(lifted_at=clock.now())
    (again,) = runs.payment_run(by=officer).runs
    item = PaymentItem.objects.get(run=again)
    assert (item.dossier_id, item.kind, item.amount_cents) == (dossier.pk, PaymentItemKind.ADVANCE, 45_000)
    assert Dossier.objects.get(pk=dossier.pk).paid_cents == 45_000
    books_are_clean()


def test_no_hold_when_the_bank_details_were_changed_since_the_run(sent, provider, staff, officer):
    run, line_a = sent["run"], sent["a"]
    account = bank_details.bank_details_request_change(
        provider=provider,
        iban=NEW_IBAN,
        bic=NEW_BIC,
        account_holder="FormaPro",
        requested_by=staff,
        strong_session=True,
    )
    bank_details.bank_details_decide(account_id=account.pk, officer=officer, approve=True, reason="RIB conforme")
    import_status_report(
        data=status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC04")]),
        by=officer,
        reason="Relevé",
    )
    assert not PaymentHold.objects.filter(source=HoldSource.BANK_RETURN).exists()
    assert "déjà validées" in Message.objects.get(recipient=staff, subject__startswith="Virement").body


def test_command_imports_and_refuses(sent, tmp_path: Path, capsys):
    run, line_a = sent["run"], sent["a"]
    good = tmp_path / "pain002.xml"
    good.write_bytes(
        status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "RC01")])
    )
    call_command("payment_returns", str(good))
    out = capsys.readouterr().out
    assert f"Virement {line_a.end_to_end_id} rejeté (RC01 – BIC incorrect)" in out
    assert PaymentStatusReport.objects.get().reason.startswith("Import du rapport")
    call_command("payment_returns", str(good))
    assert "déjà importé" in capsys.readouterr().out

    bad = tmp_path / "bad.xml"
    bad.write_bytes(status_report(run_reference=run.reference, transactions=[Tx(f"{run.reference}-0", "RJCT")]))
    before = snapshot()
    with pytest.raises(CommandError, match="status_report_unknown_transaction"):
        call_command("payment_returns", str(bad))
    assert "n'est pas un virement de la campagne" in capsys.readouterr().err
    assert snapshot() == before
    assert PaymentRun.objects.get(pk=run.pk).state == PaymentRunState.SENT


def _agent(group: str, email: str):  # type: ignore[no-untyped-def]
    user = staff_user_create(email=email, password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name=group))
    return login_agent(Client(), user)


def test_officer_uploads_the_report_on_the_run_page_and_the_provider_sees_the_rejection(sent, staff, officer):
    run, line_a = sent["run"], sent["a"]
    url = reverse("backoffice:payment_run_detail", args=[run.pk])
    good = status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC01")])
    o = login_agent(Client(), officer)
    page = o.get(url).content.decode()
    assert "Importer le rapport de statut de la banque" in page and "Aucun rapport de la banque" in page

    before = snapshot()
    # A controller reads the run but may not import; no reason or no file: refused, nothing changed.
    controller = _agent("controller", "controle@example.org")
    assert "Importer le rapport" not in controller.get(url).content.decode()
    upload = SimpleUploadedFile("pain002.xml", good, content_type="application/xml")
    assert controller.post(url, {"report": upload, "reason": "Relevé"}).status_code == 403
    upload = SimpleUploadedFile("pain002.xml", good, content_type="application/xml")
    page = o.post(url, {"report": upload, "reason": " "}, follow=True).content.decode()
    assert "indiquez un motif" in page
    bad = status_report(run_reference=run.reference, transactions=[Tx(f"{run.reference}-999999", "RJCT", "AC01")])
    response = o.post(url, {"report": SimpleUploadedFile("bad.xml", bad), "reason": "Relevé"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "rien n&#x27;a été modifié" in page and "status_report_unknown_transaction" in page
    assert snapshot() == before

    upload = SimpleUploadedFile("pain002.xml", good, content_type="application/xml")
    response = o.post(url, {"report": upload, "reason": "Relevé du 2 juin"}, follow=True)
    page = response.content.decode()
    assert "1 virement(s) rejeté(s)" in page and "IBAN incorrect (AC01)" in page and "Relevé du 2 juin" in page
    event = AuditEvent.objects.get(action="payments.status_report_imported")
    assert event.actor_id == officer.pk and event.reason == "Relevé du 2 juin"
    upload = SimpleUploadedFile("pain002.xml", good, content_type="application/xml")
    assert "déjà été importé" in o.post(url, {"report": upload, "reason": "Encore"}, follow=True).content.decode()

    provider_client = Client()
    provider_client.force_login(staff)
    page = provider_client.get(reverse("provider:payments")).content.decode()
    assert "Rejeté par votre banque" in page and "IBAN incorrect (AC01)" in page
    assert "Virement rejeté par la banque" in page  # the held dossiers, with the reason
    advice = provider_client.get(reverse("provider:payment_advice", args=[line_a.pk])).content.decode()
    assert "Ce virement n'a pas été versé" in advice


def test_a_transaction_without_its_own_status_follows_its_block(sent, officer):
    run, line_a = sent["run"], sent["a"]
    before = snapshot()
    data = status_report(
        run_reference=run.reference, block_status="ACSC", transactions=[Tx(line_a.end_to_end_id, None)]
    )
    outcome = import_status_report(data=data, by=officer, reason="Relevé")
    assert outcome.report.transactions == [{"end_to_end_id": line_a.end_to_end_id, "status": "ACSC", "reason": ""}]
    assert snapshot()[2:8] == before[2:8]


def test_the_providers_api_shows_the_rejected_transfer_with_its_reason(sent, provider, staff, officer):
    from opencpf.identity.tokens import provider_api_key_create

    run, line_a = sent["run"], sent["a"]
    _, secret = provider_api_key_create(provider=provider, name="Logiciel", by=staff)
    api = Client(HTTP_X_API_KEY=secret)
    before = api.get("/api/v1/provider/payments").json()
    assert before["rejected_cents"] == 0 and before["transfers"][0]["rejection_code"] == ""
    report = status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC04")])
    import_status_report(data=report, by=officer, reason="Relevé de la banque")
    data = api.get("/api/v1/provider/payments").json()
    (transfer,) = data["transfers"]
    assert data["rejected_cents"] == 210_000 and data["in_progress_cents"] == 0
    assert transfer["rejection_code"] == "AC04" and transfer["rejection_label"] == reason_label("AC04")
    assert transfer["rejected_at"] is not None


def test_confirming_a_run_sends_no_remittance_advice_for_a_rejected_transfer(
    sent, provider, officer, django_capture_on_commit_callbacks
):
    from django.core import mail

    run, line_a = sent["run"], sent["a"]
    report = status_report(run_reference=run.reference, transactions=[Tx(line_a.end_to_end_id, "RJCT", "AC04")])
    import_status_report(data=report, by=officer, reason="Relevé de la banque")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        runs.payment_run_confirm(run=run.reference, by=officer)
    advices = [m for m in mail.outbox if m.subject.startswith("Avis de paiement")]
    assert len(advices) == 1  # provider B's only: provider A's transfer was rejected, nothing was paid to it
    a1, a2, b1 = sent["dossiers"]
    assert b1.number in advices[0].body and a1.number not in advices[0].body
    assert not Message.objects.filter(
        subject__startswith="Avis de paiement", recipient__provider_memberships__provider=provider
    ).exists()
