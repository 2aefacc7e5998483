"""Dossiers in the states the payment runs read, pushed through the enrolment services up to entry into training,
then moved to exit / service done with a queryset update (the exit services are another domain's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opencpf.catalogue.models import Provider
from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import BillingState, DossierState
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import ProviderMembership, UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments.models import BankAccountStatus, ProviderBankAccount
from tests.enrolment.conftest import MONDAY, credit, make_provider, make_session

START = dt.date(2026, 4, 15)
AFTER = dt.datetime(2026, 6, 1, 10, 0)  # runs happen after the trainings


def provider_with_staff(siret: str, name: str) -> tuple[Provider, Any]:
    provider = make_provider(siret, name)
    user = staff_user_create(email=f"of-{siret}@example.org", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=provider)
    return provider, user


def bank_account(provider: Provider, by: Any, *, held_until: dt.datetime | None = None) -> ProviderBankAccount:
    return ProviderBankAccount.objects.create(
        provider=provider,
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        account_holder=provider.name,
        status=BankAccountStatus.ACTIVE,
        requested_by=by,
        requested_at=clock.now(),
        payments_held_until=held_until,
    )


def entered(buyer: Any, staff: Any, provider: Provider, *, price: int = 150_000) -> Dossier:
    """A dossier in training, fully paid by rights (the buyer is a job-seeker: no co-payment, no card part)."""
    if not buyer.is_job_seeker:
        buyer.is_job_seeker = True
        buyer.save(update_fields=["is_job_seeker"])
    clock.freeze(MONDAY)
    session = make_session(provider, start=START, price=price)
    credit(buyer, price, key=f"pay-credit-{session.pk}")
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    dossier = services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    dossier = services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    clock.freeze(dt.datetime(2026, 4, 15, 9, 0))
    dossier = services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    clock.freeze(AFTER)
    return dossier


def validated(dossier: Dossier, *, due: int | None = None) -> Dossier:
    """Service done validated, balance to bill (as the service-done domain leaves it)."""
    Dossier.objects.filter(pk=dossier.pk).update(
        state=DossierState.SERVICE_DONE_VALIDATED,
        billing_state=BillingState.TO_BILL,
        exit_date=dossier.end_date,
        completion_rate_bp=10_000,
        exit_reason="completed",
        exit_declared_at=clock.now(),
        service_done_validated_at=clock.now(),
        due_cents=dossier.price_cents if due is None else due,
    )
    return Dossier.objects.get(pk=dossier.pk)


def advance_waiting(dossier: Dossier, *, advance: int) -> Dossier:
    Dossier.objects.filter(pk=dossier.pk).update(billing_state=BillingState.DEPOSIT_WAIT, advance_cents=advance)
    return Dossier.objects.get(pk=dossier.pk)
