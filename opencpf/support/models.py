from __future__ import annotations

from django.conf import settings
from django.db import models


class TicketCategory(models.TextChoices):
    ACCOUNT = "account", "Mon compte et mes droits"
    ENROLMENT = "enrolment", "Une inscription ou un dossier"
    PAYMENT = "payment", "Un paiement"
    CATALOGUE = "catalogue", "Une offre de formation"
    TECHNICAL = "technical", "Un problème technique"
    OTHER = "other", "Autre question"


class TicketStatus(models.TextChoices):
    NEW = "new", "Nouvelle"
    WAITING_AGENT = "waiting_agent", "En attente de nos services"
    ANSWERED = "answered", "Réponse envoyée"
    CLOSED = "closed", "Clôturée"


class TicketPriority(models.IntegerChoices):
    NORMAL = 1, "Normale"
    HIGH = 2, "Haute"
    URGENT = 3, "Urgente"


class Ticket(models.Model):
    """A question from a holder or a provider's staff, answered by agents."""

    number = models.CharField("numéro", max_length=20, unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="tickets")
    category = models.CharField("sujet", max_length=16, choices=TicketCategory.choices)
    subject = models.CharField("objet", max_length=200)
    dossier_reference = models.CharField("numéro de dossier", max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW, db_index=True)
    priority = models.PositiveSmallIntegerField(choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "demande d'aide"
        verbose_name_plural = "demandes d'aide"
        indexes = [models.Index(fields=["status", "-priority", "created_at"], name="ticket_queue_idx")]

    def __str__(self) -> str:
        return f"{self.number} – {self.subject}"


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    from_agent = models.BooleanField(default=False)
    body = models.TextField("message")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket.number} #{self.pk}"


class ReportKind(models.TextChoices):
    COLD_CALLING = "cold_calling", "Démarchage téléphonique, par SMS ou sur les réseaux sociaux"
    SCAM = "scam", "Tentative d'escroquerie ou d'usurpation (code, identifiants demandés…)"
    SUSPICIOUS_PROVIDER = "suspicious_provider", "Organisme de formation suspect"
    TRAINING_NOT_DELIVERED = "not_delivered", "Formation non réalisée ou très différente de l'offre"
    OTHER = "other", "Autre pratique abusive"


class ReportStatus(models.TextChoices):
    NEW = "new", "Nouveau"
    TRIAGED = "triaged", "Examiné"
    FORWARDED = "forwarded", "Transmis au contrôle"
    CLOSED = "closed", "Classé"


class Report(models.Model):
    """A holder's report (signalement): cold calling, scam, suspicious provider. Anonymous callers allowed."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField("motif", max_length=24, choices=ReportKind.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_email = models.EmailField("adresse électronique", blank=True)
    provider = models.ForeignKey(
        "catalogue.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    provider_name = models.CharField("nom de l'organisme ou de la société", max_length=250, blank=True)
    caller_phone = models.CharField("numéro qui vous a contacté", max_length=20, blank=True)
    dossier_reference = models.CharField("numéro de dossier", max_length=32, blank=True)
    occurred_on = models.DateField("date des faits", null=True, blank=True)
    description = models.TextField("description")
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.NEW, db_index=True)
    triage_note = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "signalement"
        verbose_name_plural = "signalements"

    def __str__(self) -> str:
        return f"{self.reference} – {self.get_kind_display()}"
