from __future__ import annotations

from django.conf import settings
from django.db import models


class Parameter(models.Model):
    """A value the law sets and changes over time: one row per version, effective from a date.

    Values are integers: cents for amounts, days for deadlines, basis points for rates.
    """

    key = models.CharField("clé", max_length=64, db_index=True)
    effective_from = models.DateField("en vigueur à partir du")
    value = models.BigIntegerField("valeur")
    unit = models.CharField("unité", max_length=32, help_text="cents, business_days, days, hours, basis_points…")
    description = models.CharField("description", max_length=300, blank=True)
    source = models.CharField("source", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "paramètre daté"
        verbose_name_plural = "paramètres datés"
        ordering = ["key", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["key", "effective_from"], name="parameter_key_date_unique")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.unit}) depuis le {self.effective_from:%d/%m/%Y}"


class AuditEvent(models.Model):
    """Append-only record of who did what on which object, when, from where."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Audit events are append-only.")


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for retries of the same request."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_principal_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
