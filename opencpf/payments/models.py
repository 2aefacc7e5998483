from __future__ import annotations

from django.conf import settings
from django.db import models


class BankAccountStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    ACTIVE = "active", "En vigueur"
    REJECTED = "rejected", "Refusé"
    REPLACED = "replaced", "Remplacé"


class ProviderBankAccount(models.Model):
    """A provider's IBAN. A change is pending until a payment officer approves it; payments are then
    held for a while, so that a hijacked account cannot be paid at once."""

    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="bank_accounts")
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    account_holder = models.CharField("titulaire du compte", max_length=140)
    status = models.CharField(max_length=16, choices=BankAccountStatus.choices, default=BankAccountStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    payments_held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        permissions = [("approve_providerbankaccount", "Peut valider un changement de coordonnées bancaires")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=models.Q(status="active"), name="one_active_bank_account_per_provider"
            ),
            models.UniqueConstraint(
                fields=["provider"], condition=models.Q(status="pending"), name="one_pending_bank_account_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} – {self.masked_iban} ({self.get_status_display()})"

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} **** **** {self.iban[-4:]}"
