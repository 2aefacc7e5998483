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


class DisputeReason(models.TextChoices):
    NOT_DELIVERED = "not_delivered", "Formation non réalisée"
    DIFFERENT = "different", "Formation différente de l'offre"
    QUALITY = "quality", "Qualité insuffisante de la formation"
    ATTENDANCE = "attendance", "Désaccord sur l'assiduité ou le taux de réalisation"
    CANCELLATION = "cancellation", "Désaccord sur une annulation"
    BILLING = "billing", "Désaccord sur un montant ou un paiement"
    OTHER = "other", "Autre motif"


class DisputeSide(models.TextChoices):
    HOLDER = "holder", "Titulaire"
    PROVIDER = "provider", "Organisme"
    AGENT = "agent", "Gestionnaire"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Échanges en cours"
    REVIEW = "review", "En cours d'examen"
    CLOSED = "closed", "Clôturé"


class DisputeAction(models.TextChoices):
    OPENED = "opened", "Litige ouvert"
    MESSAGE = "message", "Message"
    REFUND = "refund", "Droits remboursés au titulaire"
    CANCEL = "cancel", "Dossier annulé"
    HOLD = "hold", "Paiement de l'organisme suspendu"
    RELEASE = "release", "Paiement de l'organisme débloqué"
    REVIEW = "review", "Échanges clos, examen par un gestionnaire"
    CLOSED = "closed", "Litige clôturé"


class Dispute(models.Model):
    """A disagreement on a dossier, opened by its holder or its provider; an agent decides."""

    reference = models.CharField(max_length=20, unique=True)
    dossier = models.ForeignKey("enrolment.Dossier", on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    opened_by_side = models.CharField(max_length=10, choices=DisputeSide.choices)
    reason = models.CharField("motif", max_length=16, choices=DisputeReason.choices)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN, db_index=True)
    exchange_until = models.DateField("échanges jusqu'au")
    decide_by = models.DateField("décision attendue au plus tard le")
    refunded_cents = models.BigIntegerField("remboursé au titulaire", default=0)
    outcome = models.CharField("décision", max_length=500, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "litige"
        verbose_name_plural = "litiges"
        permissions = [("decide_dispute", "Décider d'un litige (remboursement, annulation, blocage de paiement)")]
        constraints = [
            # One open dispute per dossier: a second one would split the exchange.
            models.UniqueConstraint(
                fields=["dossier"], condition=~models.Q(status="closed"), name="dispute_one_open_per_dossier"
            ),
            models.CheckConstraint(condition=models.Q(refunded_cents__gte=0), name="dispute_refund_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.get_reason_display()}"


def dispute_file_path(instance: DisputeMessage, filename: str) -> str:
    return f"disputes/{instance.dispute.reference}/{filename}"


class DisputeMessage(models.Model):
    """One message of a dispute's exchange, with an optional file (PDF, JPEG or PNG, checked by content)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    side = models.CharField(max_length=10, choices=DisputeSide.choices)
    body = models.TextField("message")
    attachment = models.FileField("pièce jointe", upload_to=dispute_file_path, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute.reference} #{self.pk}"


class DisputeEvent(models.Model):
    """Append-only log of a dispute: every step, who, why."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=DisputeAction.choices)
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.action}"


class BackOffice(Ticket):
    """No table of its own (a proxy): carries the back-office console's permissions (granted by migration)."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [
            ("search_holders", "Rechercher un titulaire (NIR, nom, numéro de dossier)"),
            ("view_dashboard", "Consulter les tableaux de bord de l'opérateur"),
        ]

    def __str__(self) -> str:
        return "espace gestionnaires"
