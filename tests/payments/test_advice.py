"""Remittance advice: a confirmed run tells each provider paid (its administrators) what it received, once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from opencpf.core import clock
from opencpf.core.logging import NIR_PATTERN
from opencpf.core.money import format_eur
from opencpf.enrolment.models import Message
from opencpf.identity.models import ProviderMembership, ProviderRole, UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments import runs
from opencpf.payments.models import HoldSource, PaymentRun, PaymentRunState, ProviderRecovery
from tests.payments.helpers import bank_account, entered, provider_with_staff, validated
from tests.payments.smtp_server import smtp_server

NIR_DIGITS = "185057800608491"  # the `holder` fixture's


def advices():  # type: ignore[no-untyped-def]
    """In-app messages that are no dossier's (the enrolment ones are not this test's)."""
    return Message.objects.filter(dossier__isnull=True)


def administrator(provider, email):  # type: ignore[no-untyped-def]
    user = staff_user_create(email=email, password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=provider, role=ProviderRole.ADMINISTRATOR)
    return user


def two_providers_paid(buyer, staff, provider):  # type: ignore[no-untyped-def]
    """Provider 1: two dossiers, two administrators and a manager (`staff`). Provider 2: one dossier and a
    sanction recovery of 300 € offset on it."""
    bank_account(provider, staff)
    admins = [administrator(provider, "dir@formapro.fr"), administrator(provider, "compta@formapro.fr")]
    d1 = validated(entered(buyer, staff, provider))
    d2 = validated(entered(buyer, staff, provider, price=80_000), due=60_000)
    other, other_staff = provider_with_staff("55208131766522", "Autre OF")
    bank_account(other, other_staff)
    other_admin = administrator(other, "dir@autre-of.fr")
    ProviderRecovery.objects.create(
        provider=other,
        key="sanction:9",
        amount_cents=30_000,
        source=HoldSource.SANCTION,
        source_ref="sanction:9",
        reason="Sanction (récupération des sommes) : heures non réalisées",
        created_at=clock.now(),
    )
    d3 = validated(entered(buyer, other_staff, other, price=100_000))
    (run,) = runs.payment_run().runs
    runs.payment_run_mark_sent(run=run.reference)
    mail.outbox.clear()  # the enrolment's own mails, sent on commit in transactional tests
    return run, admins, other_admin, (d1, d2, d3)


@pytest.mark.django_db
def test_confirmation_sends_one_advice_per_provider_to_its_administrators(
    buyer, staff, provider, django_capture_on_commit_callbacks
):
    run, admins, other_admin, (d1, d2, d3) = two_providers_paid(buyer, staff, provider)
    assert mail.outbox == [] and not advices().exists()  # planning and sending tell nobody

    with django_capture_on_commit_callbacks(execute=True):
        runs.payment_run_confirm(run=run.reference)
    assert len(mail.outbox) == 2
    first, second = sorted(mail.outbox, key=lambda m: m.to)
    assert first.to == ["compta@formapro.fr", "dir@formapro.fr"]  # administrators only, not the manager
    assert second.to == ["dir@autre-of.fr"]
    assert first.subject == f"Avis de paiement {run.reference} : {format_eur(210_000)} virés"
    for number in (d1.number, d2.number):
        assert number in first.body
    assert d3.number not in first.body and d1.number not in second.body
    assert "1 500,00" in first.body.replace("\u202f", " ") and "600,00" in first.body.replace("\u202f", " ")
    assert "Montant viré : 2 100,00 €" in first.body.replace("\u202f", " ").replace("\xa0", " ")
    assert "récupér" not in first.body.split("Montant viré")[0].split("Total des dossiers")[1]  # no recovery line
    body2 = second.body.replace("\u202f", " ").replace("\xa0", " ")
    assert "heures non réalisées : 300,00 €" in body2 and "Montant viré : 700,00 €" in body2
    assert "http://127.0.0.1:8000/organisme/paiements/" in first.body
    assert re.search(r"/organisme/paiements/\d+/avis/", first.body)
    for m in mail.outbox:
        assert NIR_DIGITS not in m.body.replace(" ", "") and not NIR_PATTERN.search(m.body)
        assert "Martin" not in m.body  # no holder's name either
    # The same text in-app, for each administrator.
    assert sorted(advices().values_list("recipient__email", flat=True)) == [
        "compta@formapro.fr",
        "dir@autre-of.fr",
        "dir@formapro.fr",
    ]
    assert advices().get(recipient=other_admin).body == second.body

    # Confirming again, by the service or the command, sends nothing and records nothing.
    with django_capture_on_commit_callbacks(execute=True):
        runs.payment_run_confirm(run=run.reference)
        call_command("payment_run", confirm=run.reference)
    assert len(mail.outbox) == 2 and advices().count() == 3


@pytest.mark.django_db
def test_a_provider_without_administrators_is_written_to_at_its_contact_address(
    buyer, staff, provider, django_capture_on_commit_callbacks
):
    bank_account(provider, staff)
    ProviderRecovery.objects.create(
        provider=provider,
        key="sanction:1",
        amount_cents=200_000,
        source=HoldSource.SANCTION,
        source_ref="sanction:1",
        reason="Sanction",
        created_at=clock.now(),
    )
    validated(entered(buyer, staff, provider))
    (run,) = runs.payment_run().runs
    runs.payment_run_mark_sent(run=run.reference)
    with django_capture_on_commit_callbacks(execute=True):
        runs.payment_run_confirm(run=run.reference)
    (sent,) = mail.outbox
    assert sent.to == [provider.email] and not advices().exists()
    assert "Aucun virement ne vous est fait" in sent.body  # fully offset by the recovery: nothing wired


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_confirmation_does_not_commit(buyer, staff, provider):
    run, *_ = two_providers_paid(buyer, staff, provider)
    with pytest.raises(RuntimeError), transaction.atomic():
        runs.payment_run_confirm(run=run.reference)
        raise RuntimeError("the database went away before the commit")
    assert mail.outbox == [] and not advices().exists()
    assert PaymentRun.objects.get().state == PaymentRunState.SENT

    runs.payment_run_confirm(run=run.reference)  # committed this time: the advices leave, once
    assert len(mail.outbox) == 2 and advices().count() == 3
    runs.payment_run_confirm(run=run.reference)
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_advice_through_a_real_smtp_relay(buyer, staff, provider, settings):
    run, *_ = two_providers_paid(buyer, staff, provider)
    with smtp_server() as (port, mailbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        call_command("payment_run", confirm=run.reference)
    assert sorted(r for got in mailbox.received for r in got.recipients) == [
        "compta@formapro.fr",
        "dir@autre-of.fr",
        "dir@formapro.fr",
    ]
    received = next(got.message for got in mailbox.received if "dir@autre-of.fr" in got.recipients)
    assert str(received["Subject"]).strip().startswith(f"Avis de paiement {run.reference}")
    assert received.get_content_type() == "text/plain" and received.get_content_charset() == "utf-8"
    text = received.get_content().replace("\u202f", " ").replace("\xa0", " ")
    assert "Montant viré : 700,00 €" in text and "heures non réalisées" in text


@pytest.mark.django_db
def test_the_advice_is_on_each_administrators_messages_page_and_nobody_elses(
    buyer, staff, provider, client, django_capture_on_commit_callbacks
):
    run, admins, other_admin, (d1, _, d3) = two_providers_paid(buyer, staff, provider)
    with django_capture_on_commit_callbacks(execute=True):
        runs.payment_run_confirm(run=run.reference)
    client.force_login(admins[0])
    page = client.get("/organisme/messages/").content.decode()
    assert f"Avis de paiement {run.reference}" in page and d1.number in page
    assert d3.number not in page and "Autre OF" not in page  # the other provider's advice
    assert 'aria-current="page">Messages<' in page
    client.force_login(other_admin)
    page = client.get("/organisme/messages/").content.decode()
    assert d3.number in page and d1.number not in page
