import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from opencpf.catalogue.models import Provider, ProviderStatus
from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.identity.models import ProviderMembership, ProviderRole, UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments import bank_details as svc
from opencpf.payments.exceptions import (
    BankChangeAlreadyPending,
    BankChangeNotPending,
    InvalidBankDetails,
    NotAllowedToApprove,
    StrongAuthenticationRequired,
)
from opencpf.payments.models import BankAccountStatus, ProviderBankAccount

pytestmark = pytest.mark.django_db(transaction=True)  # notifications are sent on commit
IBAN, BIC = "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"


@pytest.fixture
def provider():
    p = Provider.objects.create(name="Forma Sud", siret="73282932000074", status=ProviderStatus.REFERENCED)
    admin = staff_user_create(email="admin@formasud.fr", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=admin, provider=p, role=ProviderRole.ADMINISTRATOR)
    p.admin = admin
    return p


@pytest.fixture
def officer():
    user = staff_user_create(email="paiements@operateur.fr", password=None, kind=UserKind.AGENT)
    user.user_permissions.add(Permission.objects.get(codename="approve_providerbankaccount"))
    return user


def request_change(provider, **kw):
    args = dict(
        provider=provider,
        iban=IBAN,
        bic=BIC,
        account_holder="Forma Sud SAS",
        requested_by=provider.admin,
        strong_session=True,
    )
    args.update(kw)
    return svc.bank_details_request_change(**args)


def test_change_is_pending_until_an_officer_approves_then_payments_are_held(provider, officer):
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    account = request_change(provider)
    assert account.status == BankAccountStatus.PENDING and account.iban == "FR7630006000011234567890189"
    assert svc.payments_held_reason(provider) == "Aucune coordonnée bancaire validée."
    assert mail.outbox[-1].to == ["admin@formasud.fr"]
    svc.bank_details_decide(account_id=account.pk, officer=officer, approve=True, reason="Justificatif RIB conforme")
    account.refresh_from_db()
    assert account.status == BankAccountStatus.ACTIVE
    assert account.payments_held_until == clock.now() + dt.timedelta(days=5)
    assert "suspendus jusqu'au 07/03/2026" in svc.payments_held_reason(provider)
    clock.move(dt.timedelta(days=6))
    assert svc.payments_held_reason(provider) is None
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "bank_details.change_requested",
        "bank_details.approved",
    ]
    assert "validé" in mail.outbox[-1].subject


def test_a_new_approved_account_replaces_the_old_one(provider, officer):
    first = request_change(provider)
    svc.bank_details_decide(account_id=first.pk, officer=officer, approve=True, reason="ok")
    second = request_change(provider, iban="FR1420041010050500013M02606", bic="PSSTFRPP")
    svc.bank_details_decide(account_id=second.pk, officer=officer, approve=True, reason="ok")
    first.refresh_from_db()
    assert first.status == BankAccountStatus.REPLACED
    assert svc.active_bank_account(provider).pk == second.pk


@pytest.mark.parametrize(
    ("iban", "bic", "message"),
    [
        ("FR7630006000011234567890188", BIC, "clé"),
        (IBAN, "NOPE", "BIC"),
        (IBAN, "DEUTDEFF", "pays"),
        ("US12345678901234567890", BIC, "IBAN"),
    ],
)
def test_invalid_details_are_refused_and_nothing_is_created(provider, iban, bic, message):
    with pytest.raises(InvalidBankDetails) as exc:
        request_change(provider, iban=iban, bic=bic)
    assert message in exc.value.message
    assert not ProviderBankAccount.objects.exists() and not AuditEvent.objects.exists()


def test_strong_session_required(provider):
    with pytest.raises(StrongAuthenticationRequired):
        request_change(provider, strong_session=False)
    assert not ProviderBankAccount.objects.exists()


def test_one_pending_change_at_a_time(provider):
    request_change(provider)
    with pytest.raises(BankChangeAlreadyPending):
        request_change(provider, iban="FR1420041010050500013M02606", bic="PSSTFRPP")
    assert ProviderBankAccount.objects.count() == 1


def test_only_a_payment_officer_decides_once(provider, officer):
    account = request_change(provider)
    with pytest.raises(NotAllowedToApprove):
        svc.bank_details_decide(account_id=account.pk, officer=provider.admin, approve=True, reason="moi")
    account.refresh_from_db()
    assert account.status == BankAccountStatus.PENDING
    svc.bank_details_decide(account_id=account.pk, officer=officer, approve=False, reason="RIB illisible")
    with pytest.raises(BankChangeNotPending):
        svc.bank_details_decide(account_id=account.pk, officer=officer, approve=True, reason="finalement")
    account.refresh_from_db()
    assert account.status == BankAccountStatus.REJECTED and account.decision_reason == "RIB illisible"
