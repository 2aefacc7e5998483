"""Providers' bank details: validated with schwifty; a change needs a payment officer's approval and holds
payments for `iban_change_hold_days`; every step is audited and notified to the provider's administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from opencpf.catalogue.models import Provider
from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.params import param
from opencpf.identity.models import ProviderMembership, ProviderRole
from opencpf.payments.exceptions import (
    BankChangeAlreadyPending,
    BankChangeNotPending,
    InvalidBankDetails,
    NotAllowedToApprove,
    StrongAuthenticationRequired,
)
from opencpf.payments.holds import lift_hold
from opencpf.payments.models import BankAccountStatus, HoldSource, PaymentHold, ProviderBankAccount


def validate_bank_details(*, iban: str, bic: str) -> tuple[str, str]:
    """Return the compact IBAN and the 8 or 11 character BIC, or raise InvalidBankDetails in French."""
    try:
        parsed_iban = IBAN(iban)
    except SchwiftyException as exc:
        raise InvalidBankDetails("L'IBAN n'est pas valide : vérifiez les caractères et la clé.") from exc
    if parsed_iban.country_code not in SEPA_COUNTRIES:
        raise InvalidBankDetails("L'IBAN doit être celui d'un compte de la zone SEPA.")
    try:
        parsed_bic = BIC(bic or "")
    except SchwiftyException as exc:
        raise InvalidBankDetails("Le BIC n'est pas valide (8 ou 11 caractères, par exemple AGRIFRPP).") from exc
    if parsed_bic.country_code != parsed_iban.country_code:
        raise InvalidBankDetails("Le BIC ne correspond pas au pays de l'IBAN.")
    return parsed_iban.compact, str(parsed_bic.compact)


SEPA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "SM",
        "VA",
        "AD",
    ]
)


def _notify_admins(provider: Provider, subject: str, body: str) -> None:
    emails = list(
        ProviderMembership.objects.filter(provider=provider, role=ProviderRole.ADMINISTRATOR).values_list(
            "user__email", flat=True
        )
    )
    if emails:
        transaction.on_commit(lambda: send_mail(subject, body, None, emails, fail_silently=False))


@transaction.atomic
def bank_details_request_change(
    *,
    provider: Provider,
    iban: str,
    bic: str,
    account_holder: str,
    requested_by: Any,
    strong_session: bool,
    request: Any = None,
) -> ProviderBankAccount:
    if not strong_session:
        raise StrongAuthenticationRequired()
    compact_iban, compact_bic = validate_bank_details(iban=iban, bic=bic)
    if not account_holder.strip():
        raise InvalidBankDetails("Indiquez le titulaire du compte.")
    Provider.objects.select_for_update().get(pk=provider.pk)  # serialise changes for this provider
    if ProviderBankAccount.objects.filter(provider=provider, status=BankAccountStatus.PENDING).exists():
        raise BankChangeAlreadyPending()
    account = ProviderBankAccount.objects.create(
        provider=provider,
        iban=compact_iban,
        bic=compact_bic,
        account_holder=account_holder.strip()[:140],
        requested_by=requested_by,
        requested_at=clock.now(),
    )
    audit_record(
        action="bank_details.change_requested",
        actor=requested_by,
        obj=account,
        request=request,
        data={"provider": provider.pk, "iban": account.masked_iban},
    )
    _notify_admins(
        provider,
        "Demande de changement de coordonnées bancaires",
        f"Bonjour,\n\nUne demande de changement de coordonnées bancaires a été faite pour {provider.name} "
        f"(nouveau compte {account.masked_iban}). Elle sera examinée par nos services avant d'entrer en vigueur.\n"
        "Si vous n'êtes pas à l'origine de cette demande, contactez-nous immédiatement.\n",
    )
    return account


@transaction.atomic
def bank_details_decide(
    *, account_id: int, officer: Any, approve: bool, reason: str, request: Any = None
) -> ProviderBankAccount:
    if not officer.has_perm("payments.approve_providerbankaccount"):
        raise NotAllowedToApprove()
    account = ProviderBankAccount.objects.select_for_update().get(pk=account_id)
    if account.status != BankAccountStatus.PENDING:
        raise BankChangeNotPending()
    if account.requested_by_id == officer.pk:
        raise NotAllowedToApprove("Vous ne pouvez pas valider une demande que vous avez faite.")
    now = clock.now()
    if approve:
        ProviderBankAccount.objects.filter(provider=account.provider, status=BankAccountStatus.ACTIVE).update(
            status=BankAccountStatus.REPLACED
        )
        account.status = BankAccountStatus.ACTIVE
        account.payments_held_until = now + dt.timedelta(days=param("iban_change_hold_days", on=now.date()))
        # A transfer rejected by the bank held the provider until new bank details are approved: they are.
        for returned in PaymentHold.objects.filter(
            provider=account.provider, source=HoldSource.BANK_RETURN, lifted_at__isnull=True
        ):
            lift_hold(
                hold=returned, by=officer, reason=f"Nouvelles coordonnées bancaires validées ({account.masked_iban})"
            )
    else:
        account.status = BankAccountStatus.REJECTED
    account.decided_by, account.decided_at, account.decision_reason = officer, now, reason[:300]
    account.save(update_fields=["status", "payments_held_until", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        action="bank_details.approved" if approve else "bank_details.rejected",
        actor=officer,
        obj=account,
        request=request,
        reason=reason,
        data={"provider": account.provider_id},
    )
    verdict = "validé" if approve else "refusé"
    hold = (
        f" Les paiements sont suspendus jusqu'au {account.payments_held_until:%d/%m/%Y} par sécurité."
        if approve and account.payments_held_until
        else ""
    )
    _notify_admins(
        account.provider,
        f"Changement de coordonnées bancaires {verdict}",
        f"Bonjour,\n\nLe changement de coordonnées bancaires ({account.masked_iban}) a été {verdict}.{hold}\n"
        f"Motif : {reason}\n",
    )
    return account


def active_bank_account(provider: Provider) -> ProviderBankAccount | None:
    return ProviderBankAccount.objects.filter(provider=provider, status=BankAccountStatus.ACTIVE).first()


def payments_held_reason(provider: Provider, *, at: dt.datetime | None = None) -> str | None:
    """Why a provider cannot be paid now (French), or None."""
    account = active_bank_account(provider)
    moment = at or clock.now()
    if account is None:
        return "Aucune coordonnée bancaire validée."
    if account.payments_held_until and account.payments_held_until > moment:
        return f"Paiements suspendus jusqu'au {account.payments_held_until:%d/%m/%Y} après un changement d'IBAN."
    return None
