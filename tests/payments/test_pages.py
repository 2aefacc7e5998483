"""Payments pages (provider portal, back-office) and the providers' API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.core.money import format_eur
from opencpf.enrolment.enums import BillingState
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.identity.tokens import provider_api_key_create
from opencpf.payments import runs
from opencpf.payments.holds import place_hold
from opencpf.payments.models import (
    BankAccountStatus,
    HoldSource,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    ProviderBankAccount,
)
from tests.conftest import login_agent
from tests.enrolment.conftest import make_strong
from tests.payments.helpers import bank_account, entered, provider_with_staff, validated

pytestmark = pytest.mark.django_db


def logged(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    login_agent(c, user)
    return c


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    user = staff_user_create(email="paiement@example.org", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="payment_officer"))
    return type(user).objects.get(pk=user.pk)


def test_provider_sees_due_held_with_reasons_and_a_printable_advice(buyer, staff, provider, agent):
    bank_account(provider, staff)
    paid = validated(entered(buyer, staff, provider))
    (run,) = runs.payment_run().runs
    held = validated(entered(buyer, staff, provider, price=70_000))
    place_hold(source=HoldSource.CONTROL, source_ref="C9", reason="Justificatifs demandés", dossier=held, by=agent)
    validated(entered(buyer, staff, provider, price=30_000))
    c = logged(staff)
    page = c.get(reverse("provider:payments")).content.decode()
    assert "300,00" in page  # due at the next run
    assert "700,00" in page and "Contrôle en cours : Justificatifs demandés" in page
    assert format_eur(150_000) in page and run.reference in page  # in progress
    line = PaymentLine.objects.get(run=run)
    advice = c.get(reverse("provider:payment_advice", args=[line.pk])).content.decode()
    assert paid.number in advice and format_eur(150_000) in advice and "30006000011234567890189" not in advice
    assert "payments-print.css" in advice and line.end_to_end_id in advice

    other, other_staff = provider_with_staff("35600000000048", "Autre OF")
    assert logged(other_staff).get(reverse("provider:payment_advice", args=[line.pk])).status_code == 404


def test_bank_change_needs_a_strong_session_then_an_officer_approves(staff, provider, officer):
    c = logged(staff)
    form = {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP", "account_holder": "FormaPro SAS"}
    page = c.post(reverse("provider:bank_details"), form).content.decode()
    assert "second facteur" in page and not ProviderBankAccount.objects.exists()
    make_strong(c)
    assert c.post(reverse("provider:bank_details"), form).status_code == 302
    pending = ProviderBankAccount.objects.get(status=BankAccountStatus.PENDING)
    assert "en attente de validation" in c.get(reverse("provider:bank_details")).content.decode()

    o = logged(officer)
    assert pending.iban in o.get(reverse("backoffice:bank_changes")).content.decode()
    o.post(reverse("backoffice:bank_change_decide", args=[pending.pk]), {"decision": "approve"})  # no reason
    assert ProviderBankAccount.objects.get().status == BankAccountStatus.PENDING
    o.post(
        reverse("backoffice:bank_change_decide", args=[pending.pk]), {"decision": "approve", "reason": "Contre-appel"}
    )
    account = ProviderBankAccount.objects.get()
    assert account.status == BankAccountStatus.ACTIVE and account.payments_held_until is not None
    page = c.get(reverse("provider:bank_details")).content.decode()
    assert "FR76 **** **** 0189" in page and "Paiements suspendus" in page


def test_officer_launches_downloads_sends_and_confirms_a_run(buyer, staff, provider, officer):
    bank_account(provider, staff)
    dossier = validated(entered(buyer, staff, provider))
    o = logged(officer)
    o.post(reverse("backoffice:payment_run_launch"))
    run = PaymentRun.objects.get()
    page = o.get(reverse("backoffice:payment_run_detail", args=[run.pk])).content.decode()
    assert run.reference in page and "FormaPro" in page
    xml = o.get(reverse("backoffice:payment_run_file", args=[run.pk]))
    assert xml["Content-Type"] == "application/xml" and bytes(run.file_xml) == xml.content
    assert AuditEvent.objects.filter(action="payments.run_file_download").count() == 1
    o.post(reverse("backoffice:payment_run_confirm", args=[run.pk]))  # not sent yet: refused
    assert PaymentRun.objects.get().state == PaymentRunState.FILE_GENERATED
    o.post(reverse("backoffice:payment_run_sent", args=[run.pk]))
    o.post(reverse("backoffice:payment_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == PaymentRunState.CONFIRMED and run.confirmed_by == officer
    assert Dossier.objects.get(pk=dossier.pk).billing_state == BillingState.PAID
    assert "Confirmé par la banque" in o.get(reverse("backoffice:payment_runs")).content.decode()


def test_api_lists_the_providers_payments_only(buyer, staff, provider, agent):
    bank_account(provider, staff)
    dossier = validated(entered(buyer, staff, provider))
    runs.payment_run()
    held = validated(entered(buyer, staff, provider, price=20_000))
    place_hold(source=HoldSource.DISPUTE, source_ref="L1", reason="Litige", dossier=held, by=agent)
    _, secret = provider_api_key_create(provider=provider, name="Logiciel", by=staff)
    data = Client(HTTP_X_API_KEY=secret).get("/api/v1/provider/payments").json()
    assert data["in_progress_cents"] == 150_000 and data["held_cents"] == 20_000 and data["due_cents"] == 0
    assert data["held"][0]["reasons"] == ["Litige en cours : Litige"]
    (transfer,) = data["transfers"]
    assert transfer["items"] == [{"dossier_number": dossier.number, "kind": "balance", "amount_cents": 150_000}]
    other, other_staff = provider_with_staff("35600000000048", "Autre OF")
    _, other_secret = provider_api_key_create(provider=other, name="Logiciel", by=other_staff)
    assert Client(HTTP_X_API_KEY=other_secret).get("/api/v1/provider/payments").json()["transfers"] == []
    assert Client().get("/api/v1/provider/payments").status_code == 401
    assert clock.now()
