from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


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


class HoldSource(models.TextChoices):
    CONTROL = "control", "Contrôle en cours"
    DISPUTE = "dispute", "Litige en cours"
    ALERT = "alert", "Alerte de fraude"
    SANCTION = "sanction", "Sanction : suspension des paiements"
    AGENT = "agent", "Décision d'un gestionnaire"
    ADVANCE = "advance", "Avance supérieure au montant dû"  # recoveries only, created by payment runs
    BANK_RETURN = "bank_return", "Virement rejeté par la banque"  # lifted when new bank details are approved


class PaymentHold(models.Model):
    """Payments withheld from a whole provider or from one dossier until an agent lifts the hold.

    Placed by controls, disputes, trust alerts (by an agent's decision) and sanctions; payment runs skip
    every dossier with an active hold (see payments.holds.holds_for). Never deleted: lifting is recorded.
    """

    provider = models.ForeignKey(
        "catalogue.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_holds"
    )
    dossier = models.ForeignKey(
        "enrolment.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_holds"
    )
    source = models.CharField("origine", max_length=16, choices=HoldSource.choices)
    source_ref = models.CharField("référence de l'origine", max_length=80)
    reason = models.CharField("motif", max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    placed_at = models.DateTimeField("posée le")
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    lifted_at = models.DateTimeField("levée le", null=True, blank=True)
    lift_reason = models.CharField("motif de la levée", max_length=500, blank=True)

    class Meta:
        verbose_name = "blocage de paiement"
        verbose_name_plural = "blocages de paiement"
        ordering = ["-placed_at", "-id"]
        permissions = [("manage_paymenthold", "Bloquer ou débloquer des paiements")]
        indexes = [models.Index(fields=["provider", "lifted_at"]), models.Index(fields=["dossier", "lifted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provider__isnull=False) | models.Q(dossier__isnull=False),
                name="payment_hold_has_target",
            ),
            # One active hold per origin and target: placing it twice changes nothing. The absent target is
            # coalesced to 0, so that the index holds on SQLite too (which has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                "source",
                "source_ref",
                Coalesce("provider", 0),
                Coalesce("dossier", 0),
                condition=models.Q(lifted_at__isnull=True),
                name="payment_hold_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} – {self.reason[:60]}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class ProviderRecovery(models.Model):
    """A sum a provider owes back (sanction, unpaid advance of a dossier ended early, dispute decision),
    offset on its next payments. `recovered_cents` grows as payment runs deduct it; never above the amount."""

    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="recoveries")
    key = models.CharField("clé d'idempotence", max_length=120, unique=True)
    amount_cents = models.BigIntegerField("montant à récupérer")
    recovered_cents = models.BigIntegerField("montant récupéré", default=0)
    source = models.CharField("origine", max_length=16, choices=HoldSource.choices)
    source_ref = models.CharField("référence de l'origine", max_length=80)
    dossier = models.ForeignKey(
        "enrolment.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="recoveries"
    )
    reason = models.CharField("motif", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    created_at = models.DateTimeField("créée le")

    class Meta:
        verbose_name = "récupération de sommes"
        verbose_name_plural = "récupérations de sommes"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(recovered_cents__gte=0) & models.Q(recovered_cents__lte=models.F("amount_cents")),
                name="recovery_recovered_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} – {self.amount_cents} ({self.reason[:40]})"

    @property
    def outstanding_cents(self) -> int:
        return self.amount_cents - self.recovered_cents


class PaymentRunState(models.TextChoices):
    PLANNED = "planned", "Préparé"
    FILE_GENERATED = "file_generated", "Fichier de virement généré"
    SENT = "sent", "Envoyé à la banque"
    CONFIRMED = "confirmed", "Confirmé par la banque"


class PaymentRun(models.Model):
    """One batch of credit transfers to providers: planned (lines and items committed), ledger posted line by
    line, file written from the stored lines, then sent and confirmed by a payment officer.

    At most one run is `planned` at a time: a re-run after a crash resumes it instead of planning another."""

    reference = models.CharField("référence", max_length=20, unique=True)  # the file's MsgId
    state = models.CharField("état", max_length=16, choices=PaymentRunState.choices, default=PaymentRunState.PLANNED)
    execution_date = models.DateField("date d'exécution")
    created_at = models.DateTimeField("préparé le")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    line_count = models.PositiveIntegerField("organismes", default=0)
    item_count = models.PositiveIntegerField("montants de dossiers", default=0)
    total_cents = models.BigIntegerField("montant viré", default=0)
    skipped = models.JSONField("dossiers écartés (motif : nombre)", default=dict, blank=True)
    ledger_posted_at = models.DateTimeField("grand livre passé le", null=True, blank=True)
    file_xml = models.BinaryField("fichier pain.001", null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, default="")
    file_generated_at = models.DateTimeField("fichier généré le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        verbose_name = "campagne de paiement"
        verbose_name_plural = "campagnes de paiement"
        ordering = ["-created_at", "-id"]
        permissions = [("manage_paymentrun", "Lancer, envoyer et confirmer les campagnes de paiement")]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=models.Q(state="planned"), name="payment_run_one_planned"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentLine(models.Model):
    """One credit transfer: what one provider receives in one run (its items, less recoveries deducted)."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines")
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="payment_lines")
    key = models.CharField("clé d'idempotence", max_length=60, unique=True)
    end_to_end_id = models.CharField("référence de bout en bout", max_length=35, unique=True)
    gross_cents = models.BigIntegerField("montant des dossiers")
    recovered_cents = models.BigIntegerField("récupérations déduites", default=0)
    amount_cents = models.BigIntegerField("montant viré")
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11, blank=True)
    account_holder = models.CharField("titulaire du compte", max_length=140)
    ledger_posted_at = models.DateTimeField(null=True, blank=True)
    # Rejected by the bank (pain.002 status RJCT): ledger reversed, recoveries restored, items released.
    rejected_at = models.DateTimeField("rejeté par la banque le", null=True, blank=True)
    rejection_code = models.CharField("code du motif de rejet (ISO 20022)", max_length=35, blank=True, default="")
    rejection_label = models.CharField("motif du rejet", max_length=200, blank=True, default="")
    status_report = models.ForeignKey(
        "PaymentStatusReport", null=True, blank=True, on_delete=models.PROTECT, related_name="rejected_lines"
    )

    class Meta:
        verbose_name = "virement à un organisme"
        verbose_name_plural = "virements aux organismes"
        ordering = ["run_id", "id"]
        indexes = [models.Index(fields=["provider", "run"], name="payment_line_provider_idx")]
        constraints = [
            models.UniqueConstraint(fields=["run", "provider"], name="payment_line_one_per_provider"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0)
                & models.Q(recovered_cents__gte=0)
                & models.Q(amount_cents=models.F("gross_cents") - models.F("recovered_cents")),
                name="payment_line_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} **** **** {self.iban[-4:]}"


class PaymentItemKind(models.TextChoices):
    ADVANCE = "advance", "Avance"
    BALANCE = "balance", "Solde"


class PaymentItem(models.Model):
    """Which amount of which dossier a line pays. One advance and one balance per dossier that is not returned:
    the unique constraint makes a double payment impossible at the database level. An item whose transfer the
    bank rejected is `returned_at` (kept for the record) and the dossier's amount may be paid by a new item."""

    line = models.ForeignKey(PaymentLine, on_delete=models.PROTECT, related_name="items")
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="items", db_index=False)
    dossier = models.ForeignKey("enrolment.Dossier", on_delete=models.PROTECT, related_name="payment_items")
    kind = models.CharField(max_length=8, choices=PaymentItemKind.choices)
    amount_cents = models.BigIntegerField("montant")
    returned_at = models.DateTimeField("rendu par la banque le", null=True, blank=True)

    class Meta:
        verbose_name = "montant payé d'un dossier"
        verbose_name_plural = "montants payés des dossiers"
        indexes = [models.Index(fields=["run", "kind"], name="payment_item_run_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=models.Q(returned_at__isnull=True),
                name="payment_item_once_per_dossier",
            ),
            models.CheckConstraint(condition=models.Q(amount_cents__gte=0), name="payment_item_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_cents}"


class RecoveryDeduction(models.Model):
    """A part of a ProviderRecovery deducted from one payment line."""

    line = models.ForeignKey(PaymentLine, on_delete=models.PROTECT, related_name="deductions")
    recovery = models.ForeignKey(ProviderRecovery, on_delete=models.PROTECT, related_name="deductions")
    amount_cents = models.BigIntegerField("montant déduit")

    class Meta:
        verbose_name = "récupération déduite"
        verbose_name_plural = "récupérations déduites"
        constraints = [
            models.UniqueConstraint(fields=["line", "recovery"], name="recovery_deduction_once_per_line"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="recovery_deduction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id}: {self.amount_cents}"


class PaymentStatusReport(models.Model):
    """A bank's Customer Payment Status Report (pain.002) on one run, imported once (SHA-256 of the file).

    Every transaction status is kept in `transactions`; only rejections (RJCT) change anything."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="status_reports")
    message_id = models.CharField("identifiant du rapport (MsgId)", max_length=35)
    message_type = models.CharField("type de message", max_length=20)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField("fichier pain.002")
    group_status = models.CharField("statut du lot", max_length=4, blank=True, default="")
    statuses = models.JSONField("transactions par statut", default=dict, blank=True)
    transactions = models.JSONField("statut de chaque virement", default=list, blank=True)
    rejected_count = models.PositiveIntegerField("virements rejetés", default=0)
    rejected_cents = models.BigIntegerField("montant rejeté", default=0)
    imported_at = models.DateTimeField("importé le")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    reason = models.CharField("motif de l'import", max_length=500)

    class Meta:
        verbose_name = "rapport de statut bancaire"
        verbose_name_plural = "rapports de statut bancaire"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.run_id})"
