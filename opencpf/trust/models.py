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


class RuleSet(models.Model):
    """The rules' parameters, versioned: the set in force is the latest whose valid_from has come.

    A new set is a new row (never an edit), so every alert can name the version that raised it.
    """

    version = models.CharField(max_length=20, unique=True)
    valid_from = models.DateField("en vigueur le")
    params = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "jeu de paramètres des règles"
        verbose_name_plural = "jeux de paramètres des règles"
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.version} ({self.valid_from})"


class ActivityKind(models.TextChoices):
    LOGIN = "login", "Connexion"
    ACTIVATION = "activation", "Activation du compte"
    REQUEST = "request", "Demande d'inscription"
    ACCEPT = "accept", "Achat (acceptation)"


class ActivityEvent(models.Model):
    """Where an account acted from (IP, device cookie): the memory the holder rules compare a purchase with."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=64, blank=True)
    dossier_id = models.BigIntegerField(null=True, blank=True)
    provider_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "activité de compte"
        verbose_name_plural = "activités de comptes"
        indexes = [
            models.Index(fields=["user", "at"], name="trust_activity_user_idx"),
            models.Index(fields=["ip", "at"], name="trust_activity_ip_idx"),
            models.Index(fields=["device", "at"], name="trust_activity_device_idx"),
            models.Index(fields=["at"], name="trust_activity_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class PurchaseSuspension(models.Model):
    """An agent suspends a holder's purchases (7 days to 1 year): identity.strong.holder_can_purchase honours it."""

    holder = models.ForeignKey("identity.Holder", on_delete=models.PROTECT, related_name="purchase_suspensions")
    reason = models.CharField("motif", max_length=500)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        verbose_name = "suspension des achats"
        verbose_name_plural = "suspensions des achats"
        indexes = [models.Index(fields=["holder", "ends_at"], name="trust_suspension_holder_idx")]

    def __str__(self) -> str:
        return f"suspension {self.holder_id} jusqu'au {self.ends_at:%d/%m/%Y}"


class ControlScope(models.TextChoices):
    PROVIDER = "provider", "Organisme"
    DOSSIERS = "dossiers", "Service fait de dossiers"


class ControlStatus(models.TextChoices):
    AWAITING = "awaiting", "En attente des justificatifs"
    UNANSWERED = "unanswered", "Sans réponse dans le délai"  # the deadline passed: the controller decides
    ANSWERED = "answered", "Justificatifs reçus"
    CLOSED = "closed", "Clos"


class ControlOutcome(models.TextChoices):
    COMPLIANT = "compliant", "Conforme"
    NON_COMPLIANT = "non_compliant", "Non conforme"


class Control(models.Model):
    """A two-sided control of a provider: proofs asked with a deadline, the provider answers, a controller decides."""

    reference = models.CharField(max_length=20, unique=True)
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="controls")
    scope = models.CharField(max_length=16, choices=ControlScope.choices)
    dossiers = models.ManyToManyField("enrolment.Dossier", blank=True, related_name="controls")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="controls")
    reason = models.CharField("motif du contrôle", max_length=500)
    proofs_requested = models.TextField("justificatifs demandés")
    deadline = models.DateField("date limite de réponse")
    status = models.CharField(max_length=16, choices=ControlStatus.choices, default=ControlStatus.AWAITING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    opened_at = models.DateTimeField()
    reminded_at = models.DateTimeField("relance envoyée le", null=True, blank=True)
    lapsed_at = models.DateTimeField("délai dépassé constaté le", null=True, blank=True)
    answer = models.TextField("réponse de l'organisme", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=ControlOutcome.choices, blank=True)
    decision_reason = models.CharField("motif de la décision", max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "contrôle"
        verbose_name_plural = "contrôles"
        ordering = ["-opened_at", "-id"]
        permissions = [("decide_control", "Trancher un contrôle et prononcer une sanction")]
        indexes = [models.Index(fields=["status", "deadline"], name="trust_control_due_idx")]

    def __str__(self) -> str:
        return f"Contrôle {self.reference}"


class ProofKind(models.TextChoices):
    ATTENDANCE = "attendance", "Feuilles d'émargement"
    CERTIFICATE = "certificate", "Attestation ou certificat de réalisation"
    INVOICE = "invoice", "Facture"
    OTHER = "other", "Autre justificatif"


def proof_path(instance: ControlProof, filename: str) -> str:
    return f"trust/controls/{instance.control_id}/{filename}"


class ControlProof(models.Model):
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="proofs")
    kind = models.CharField("type", max_length=16, choices=ProofKind.choices)
    file = models.FileField("fichier", upload_to=proof_path)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=60)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "justificatif de contrôle"
        verbose_name_plural = "justificatifs de contrôle"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SanctionKind(models.TextChoices):
    """Graded, lightest first."""

    OBSERVATION = "observation", "Observation"
    PAYMENT_SUSPENSION = "payment_suspension", "Suspension des paiements"
    UNPUBLISH_OFFERS = "unpublish_offers", "Déréférencement d'offres"
    DELIST = "delist", "Déréférencement de l'organisme"
    RECOVERY = "recovery", "Récupération des sommes"


class Sanction(models.Model):
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="sanctions")
    control = models.ForeignKey(Control, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=24, choices=SanctionKind.choices)
    reason = models.CharField("motif", max_length=1000)
    amount_cents = models.BigIntegerField("montant à récupérer", default=0)
    offer_ids = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = "sanction"
        verbose_name_plural = "sanctions"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.provider_id}"
