"""Provider referencing: Qualiopi certificates, certifiers' permissions, decisions, API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencpf.catalogue.models.offers import Provider
from opencpf.catalogue.models.referentials import Certification, Certifier


class QualiopiCertificate(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="qualiopi_certificates")
    number = models.CharField("numéro du certificat", max_length=64)
    certifying_body = models.CharField("organisme certificateur", max_length=200, blank=True)
    issued_on = models.DateField("délivré le", null=True, blank=True)
    expires_on = models.DateField("expire le")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "certificat Qualiopi"
        verbose_name_plural = "certificats Qualiopi"
        ordering = ["-expires_on"]
        constraints = [models.UniqueConstraint(fields=["provider", "number"], name="qualiopi_provider_number_unique")]

    def __str__(self) -> str:
        return f"Qualiopi {self.number} (jusqu'au {self.expires_on:%d/%m/%Y})"


class CertifierPermission(models.Model):
    """A certifier's permission for a provider to prepare a certification (habilitation)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="permissions")
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="permissions")
    certifier = models.ForeignKey(Certifier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField("référence de l'habilitation", max_length=100, blank=True)
    granted_on = models.DateField("accordée le", null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawal_reason = models.CharField("motif du retrait", max_length=500, blank=True)

    class Meta:
        verbose_name = "habilitation"
        verbose_name_plural = "habilitations"
        constraints = [
            models.UniqueConstraint(fields=["provider", "certification"], name="permission_provider_cert_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.certification.code}"


class ReferencingDecision(models.Model):
    """The log of referencing decisions: who moved a provider from which status to which, and why."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="referencing_decisions")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    event = models.CharField(max_length=32)
    reason = models.CharField("motif", max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = "décision de référencement"
        verbose_name_plural = "décisions de référencement"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.from_status} → {self.to_status}"
