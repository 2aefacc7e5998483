"""The enrolment dossier, its transition log, in-app messages and card payments of the rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencpf.enrolment.enums import (
    HOLDER_LABELS,
    BillingState,
    CancellationOutcome,
    ControlState,
    DeadlineKind,
    DossierState,
    Event,
    ExitReasonChoice,
    Who,
)


class Dossier(models.Model):
    """One holder's enrolment in one session, from the request to entry into training (and after)."""

    number = models.CharField("numéro de dossier", max_length=16, unique=True)
    holder = models.ForeignKey("identity.Holder", on_delete=models.PROTECT, related_name="dossiers")
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="dossiers")
    training = models.ForeignKey("catalogue.Training", on_delete=models.PROTECT, related_name="dossiers")
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="dossiers")
    session = models.ForeignKey("catalogue.Session", on_delete=models.PROTECT, related_name="dossiers")

    state = models.CharField("état", max_length=32, choices=DossierState.choices, default=DossierState.NOT_PROCESSED)
    billing_state = models.CharField(
        "état de facturation", max_length=16, choices=BillingState.choices, default=BillingState.NOT_BILLABLE
    )
    control_state = models.CharField(
        "état de contrôle", max_length=16, choices=ControlState.choices, default=ControlState.NOT_IN_CONTROL
    )
    version = models.PositiveIntegerField(default=0)

    has_prerequisites = models.BooleanField("formation avec prérequis", default=False)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    price_cents = models.BigIntegerField("prix TTC (centimes)")
    holder_message = models.TextField("message du titulaire", blank=True)
    provider_message = models.TextField("message de l'organisme", blank=True)

    # The split computed by the rights services when the proposal was accepted (or quoted at request).
    rights_cents = models.BigIntegerField("droits", default=0)
    topups_cents = models.BigIntegerField("abondements", default=0)
    copayment_cents = models.BigIntegerField("participation forfaitaire", default=0)
    rest_cents = models.BigIntegerField("reste à payer par carte", default=0)
    reservation_ref = models.CharField("référence de réservation", max_length=80, blank=True)
    reserved_cents = models.BigIntegerField("montant réservé", default=0)
    captured_cents = models.BigIntegerField("montant débité", default=0)
    released_cents = models.BigIntegerField("montant restitué", default=0)
    forfeited_cents = models.BigIntegerField("droits perdus", default=0)
    compensation_cents = models.BigIntegerField("dédommagement de l'organisme", default=0)
    card_paid_cents = models.BigIntegerField("payé par carte", default=0)
    card_refunded_cents = models.BigIntegerField("remboursé sur la carte", default=0)
    card_credited_cents = models.PositiveBigIntegerField("paiement par carte crédité sur le compte", default=0)
    cancellation_outcome = models.CharField(max_length=20, choices=CancellationOutcome.choices, blank=True, default="")

    deadline_kind = models.CharField(max_length=24, choices=DeadlineKind.choices, blank=True, default="")
    deadline_on = models.DateField("échéance", null=True, blank=True, db_index=True)
    reminder_sent_for = models.DateField("rappel envoyé pour l'échéance", null=True, blank=True)
    cooling_off_until = models.DateField("fin du délai de rétractation", null=True, blank=True)

    requested_at = models.DateTimeField("demandé le")
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)
    entered_at = models.DateTimeField("entrée déclarée le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closed_by = models.CharField(max_length=16, choices=Who.choices, blank=True, default="")
    close_reason = models.CharField("motif", max_length=500, blank=True)
    flagged_at = models.DateTimeField("signalé le", null=True, blank=True, db_index=True)
    flag_reason = models.CharField("motif du signalement", max_length=300, blank=True)

    client_token = models.CharField(max_length=64, blank=True, default="")

    # Exit (the service-done declaration) and what the provider is owed: see payments.amounts.amount_due.
    exit_date = models.DateField("date de sortie", null=True, blank=True)
    hours_attended = models.PositiveIntegerField("heures suivies", null=True, blank=True)
    completion_rate_bp = models.PositiveIntegerField("taux de réalisation (points de base)", null=True, blank=True)
    exit_reason = models.CharField("motif de sortie", max_length=24, blank=True, default="")
    exit_declared_at = models.DateTimeField("sortie déclarée le", null=True, blank=True)
    service_done_validated_at = models.DateTimeField("service fait validé le", null=True, blank=True, db_index=True)
    due_cents = models.BigIntegerField("dû à l'organisme", default=0)
    advance_cents = models.BigIntegerField("avance due à l'organisme", default=0)
    paid_cents = models.BigIntegerField("versé à l'organisme", default=0)

    class Meta:
        verbose_name = "dossier de formation"
        verbose_name_plural = "dossiers de formation"
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("cancel_dossier", "Annuler un dossier de formation"),
            ("validate_service_done", "Valider le service fait d'un dossier"),
        ]
        indexes = [
            models.Index(fields=["provider", "state", "deadline_on"], name="dossier_provider_todo_idx"),
            models.Index(fields=["holder", "training", "state"], name="dossier_holder_training_idx"),
            models.Index(fields=["state", "deadline_on"], name="dossier_state_deadline_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "client_token"],
                condition=~models.Q(client_token=""),
                name="dossier_holder_client_token_unique",
            ),
            models.CheckConstraint(condition=models.Q(price_cents__gte=0), name="dossier_price_non_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved_cents__gte=0)
                & models.Q(captured_cents__gte=0)
                & models.Q(released_cents__gte=0)
                & models.Q(forfeited_cents__gte=0)
                & models.Q(compensation_cents__gte=0)
                & models.Q(due_cents__gte=0)
                & models.Q(advance_cents__gte=0)
                & models.Q(paid_cents__gte=0),
                name="dossier_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="dossier_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Dossier {self.number}"

    @property
    def holder_label(self) -> str:
        return HOLDER_LABELS.get(self.state, self.get_state_display())

    @property
    def provider_label(self) -> str:
        return self.get_state_display()

    @property
    def exit_reason_label(self) -> str:
        return dict(ExitReasonChoice.choices).get(self.exit_reason, "")

    @property
    def completion_percent(self) -> str:
        """The declared completion rate in French ("87,5 %"), empty before exit."""
        if self.completion_rate_bp is None:
            return ""
        return f"{self.completion_rate_bp / 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " %"

    @property
    def is_open_request(self) -> bool:
        return self.state in (DossierState.NOT_PROCESSED, DossierState.VALIDATED)

    def snapshot(self) -> dict:
        """The fields a transition may change, for the log's before/after."""
        return {
            "state": self.state,
            "billing_state": self.billing_state,
            "control_state": self.control_state,
            "deadline_kind": self.deadline_kind,
            "deadline_on": self.deadline_on.isoformat() if self.deadline_on else None,
            "start_date": self.start_date.isoformat(),
            "price_cents": self.price_cents,
            "reserved_cents": self.reserved_cents,
            "captured_cents": self.captured_cents,
            "released_cents": self.released_cents,
            "forfeited_cents": self.forfeited_cents,
            "compensation_cents": self.compensation_cents,
            "card_paid_cents": self.card_paid_cents,
            "card_refunded_cents": self.card_refunded_cents,
            "card_credited_cents": self.card_credited_cents,
            "exit_reason": self.exit_reason,
            "completion_rate_bp": self.completion_rate_bp,
            "due_cents": self.due_cents,
            "advance_cents": self.advance_cents,
            "paid_cents": self.paid_cents,
        }


class DossierTransition(models.Model):
    """Append-only log of every state change: who, when, why, before and after."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField(db_index=True)
    event = models.CharField(max_length=32, choices=Event.choices)
    who = models.CharField(max_length=16, choices=Who.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    from_state = models.CharField(max_length=32, choices=DossierState.choices, blank=True)
    to_state = models.CharField(max_length=32, choices=DossierState.choices)
    reason = models.CharField("motif", max_length=500, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "transition de dossier"
        verbose_name_plural = "journal des dossiers"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.event} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Transitions are append-only.")
        super().save(*args, **kwargs)


class Message(models.Model):
    """An in-app message (the same text as the email) shown in the recipient's space."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_messages")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("message")
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class CardPaymentKind(models.TextChoices):
    CHARGE = "charge", "Paiement"
    REFUND = "refund", "Remboursement"


class CardPayment(models.Model):
    """A card payment (or refund) of the rest to pay, as recorded by the payment gateway."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="card_payments")
    kind = models.CharField(max_length=8, choices=CardPaymentKind.choices)
    amount_cents = models.BigIntegerField()
    gateway = models.CharField(max_length=32)
    gateway_ref = models.CharField(max_length=80)
    idempotency_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "paiement par carte"
        verbose_name_plural = "paiements par carte"
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="card_payment_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_cents} ({self.gateway_ref})"
