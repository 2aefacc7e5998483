from __future__ import annotations

from django.conf import settings
from django.db import models


class AlertSubject(models.TextChoices):
    PROVIDER = "provider", "Organisme de formation"
    OFFER = "offer", "Offre"
    HOLDER = "holder", "Titulaire"
    DOSSIER = "dossier", "Dossier"


class AlertStatus(models.TextChoices):
    NEW = "new", "Nouvelle"
    INVESTIGATING = "investigating", "En cours d'analyse"
    DISMISSED = "dismissed", "Écartée"
    CONFIRMED = "confirmed", "Confirmée"


class Alert(models.Model):
    """A suspicion raised by a rule. Software raises, people decide: no sanction follows without an agent."""

    rule = models.CharField("règle", max_length=64, db_index=True)
    ruleset_version = models.CharField(max_length=20)
    subject_type = models.CharField(max_length=16, choices=AlertSubject.choices)
    subject_id = models.PositiveBigIntegerField()
    subject_label = models.CharField(max_length=300)
    score = models.FloatField()
    reasons = models.JSONField(default=list)  # [{"label": ..., "excerpt": ..., "matched": ..., "score": ...}]
    fingerprint = models.CharField(max_length=64, help_text="rule + subject + evidence: the same suspicion once")
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        constraints = [models.UniqueConstraint(fields=["fingerprint"], name="alert_fingerprint_unique")]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="alert_subject_idx")]

    def __str__(self) -> str:
        return f"{self.rule} – {self.subject_label}"


class AlertEvent(models.Model):
    """What happened to an alert: status changes and actions taken from it, with who and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    action = models.CharField(max_length=64)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"
