"""The ledger: accounts, append-only transactions of entries summing to zero, and what feeds them.

Holder-side accounts (rights, DIF, top-ups) are keyed by the NIR hash, not by the Holder row: rights exist
before the holder activates an account, and activation needs no attachment step (the Holder's nir_hash finds them).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencpf.rights.enums import (
    HOLDER_KINDS,
    AccountKind,
    AdjustmentStatus,
    DifStatus,
    FunderKind,
    ReservationStatus,
    TransactionKind,
)


class Account(models.Model):
    kind = models.CharField("nature", max_length=20, choices=AccountKind.choices)
    nir_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    funder = models.ForeignKey(
        "rights.Funder", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    certification_code = models.CharField("certification fléchée", max_length=20, blank=True, default="")
    reference = models.CharField("référence (comptes de plateforme)", max_length=64, blank=True, default="")
    balance_cents = models.BigIntegerField("solde (centimes)", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_cents__gte=0) | ~Q(kind__in=[k.value for k in HOLDER_KINDS]),
                name="rights_account_holder_balance_non_negative",
            ),
            models.UniqueConstraint(
                fields=["nir_hash"],
                condition=Q(kind=AccountKind.RIGHTS),
                name="rights_account_one_rights_per_nir",
            ),
            models.UniqueConstraint(
                fields=["nir_hash"], condition=Q(kind=AccountKind.DIF), name="rights_account_one_dif_per_nir"
            ),
            models.UniqueConstraint(
                fields=["nir_hash", "funder", "certification_code"],
                condition=Q(kind=AccountKind.TOPUP),
                name="rights_account_one_topup_pool",
            ),
            models.UniqueConstraint(
                fields=["kind", "reference"],
                condition=~Q(kind__in=[k.value for k in HOLDER_KINDS]),
                name="rights_account_platform_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_holder_account(self) -> bool:
        return self.kind in HOLDER_KINDS


class Funder(models.Model):
    """An employer, OPCO, France Travail, a region…: adds top-ups. API callers authenticate with a key (stored hashed)."""

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=20, choices=FunderKind.choices)
    reference = models.CharField("SIRET ou identifiant", max_length=32, unique=True)
    headcount = models.PositiveIntegerField("effectif", null=True, blank=True)
    api_key_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"

    def __str__(self) -> str:
        return self.name


class LedgerTransaction(models.Model):
    """One movement: entries summing to zero, posted together, once (idempotency key)."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField("nature", max_length=20, choices=TransactionKind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    reference = models.CharField("référence (dossier, financeur…)", max_length=100, blank=True, default="")
    label = models.CharField("libellé", max_length=200, blank=True, default="")
    amount_cents = models.BigIntegerField("montant déplacé (somme des crédits)", default=0)
    posted_at = models.DateTimeField("date")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        verbose_name = "mouvement"
        verbose_name_plural = "mouvements"
        indexes = [models.Index(fields=["kind", "year"], name="rights_txn_kind_year_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger transactions are append-only.")


class Entry(models.Model):
    """One line of a transaction on one account: positive credits the account, negative debits it."""

    # No index on the transaction: entries are read by account (statements); the index would cost every posting.
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.RESTRICT, related_name="entries", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="entries", db_index=False)
    amount_cents = models.BigIntegerField("montant (centimes)")

    class Meta:
        verbose_name = "écriture"
        verbose_name_plural = "écritures"
        indexes = [models.Index(fields=["account", "id"], name="rights_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_cents}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger entries are append-only.")


class Declaration(models.Model):
    """An employer's yearly figures for one holder (from DSN). A correction replaces the figures (revision + 1)."""

    declaration_id = models.CharField("identifiant de la déclaration", max_length=64)
    employer_siret = models.CharField("SIRET de l'employeur", max_length=14)
    nir_hash = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField("année")
    paid_hours_x100 = models.BigIntegerField("heures rémunérées (centièmes)", null=True, blank=True)
    reference_hours_x100 = models.BigIntegerField("durée de référence (centièmes)", null=True, blank=True)
    part_time_rate_bp = models.PositiveIntegerField("quotité (points de base)", null=True, blank=True)
    gross_pay_cents = models.BigIntegerField("rémunération brute sans heures (centimes)", null=True, blank=True)
    absences = models.JSONField("absences", default=list, blank=True)
    low_qualification = models.BooleanField("sans niveau CAP", default=False)
    disabled_worker = models.BooleanField("bénéficiaire de l'OETH", default=False)
    # Derived at import: hours counted as worked (paid hours or contract share + absences that count).
    worked_hours_x100 = models.BigIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name = "déclaration d'employeur"
        verbose_name_plural = "déclarations d'employeurs"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "nir_hash", "employer_siret"], name="rights_declaration_employer_holder_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} ({self.year})"


class CreditYearRun(models.Model):
    """Serialises concurrent runs of credit_year for one year; `chunks_posted` numbers their transactions."""

    year = models.PositiveSmallIntegerField(unique=True)
    chunks_posted = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"credit_year {self.year}"


class Reservation(models.Model):
    """Money held for an order (dossier): which holder accounts gave what; captured or released once."""

    order_ref = models.CharField("référence du dossier", max_length=100, unique=True)
    nir_hash = models.CharField(max_length=64, db_index=True)
    price_cents = models.BigIntegerField("prix")
    certification_code = models.CharField(max_length=20, blank=True, default="")
    allocations = models.JSONField("répartition", default=list)  # [{"account": id, "kind": ..., "amount_cents": n}]
    held_cents = models.BigIntegerField("montant réservé")
    copayment_cents = models.BigIntegerField("participation forfaitaire", default=0)
    holder_rest_cents = models.BigIntegerField("reste à charge", default=0)
    captured_cents = models.BigIntegerField("montant débité", default=0)
    status = models.CharField(max_length=12, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED)
    provider_ref = models.CharField("organisme", max_length=32, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "réservation"
        verbose_name_plural = "réservations"
        constraints = [
            models.CheckConstraint(
                condition=Q(held_cents__gte=0)
                & Q(captured_cents__gte=0)
                & Q(captured_cents__lte=models.F("held_cents")),
                name="rights_reservation_amounts",
            )
        ]

    def __str__(self) -> str:
        return self.order_ref


def dif_proof_path(instance: DifClaim, filename: str) -> str:
    return f"dif/{instance.nir_hash[:2]}/{instance.nir_hash[:16]}-{filename}"


class DifClaim(models.Model):
    nir_hash = models.CharField(max_length=64, db_index=True)
    hours = models.PositiveSmallIntegerField("heures déclarées")
    proof = models.FileField("justificatif", upload_to=dif_proof_path)
    status = models.CharField(max_length=10, choices=DifStatus.choices, default=DifStatus.PENDING)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decision_reason = models.CharField("motif", max_length=300, blank=True, default="")
    credited_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "déclaration d'heures DIF"
        verbose_name_plural = "déclarations d'heures DIF"
        constraints = [
            models.UniqueConstraint(
                fields=["nir_hash"],
                condition=Q(status__in=[DifStatus.PENDING, DifStatus.ACCEPTED]),
                name="rights_dif_one_open_or_accepted",
            )
        ]

    def __str__(self) -> str:
        return f"DIF {self.hours} h ({self.get_status_display()})"


class Adjustment(models.Model):
    """An agent's correction of a holder's rights, under the two-person rule: one agent proposes with a
    reason, another approves (which posts the ledger movement) or refuses. Nobody decides their own proposal."""

    nir_hash = models.CharField(max_length=64, db_index=True)
    holder = models.ForeignKey("identity.Holder", on_delete=models.PROTECT, related_name="rights_adjustments")
    account_kind = models.CharField("compte", max_length=20, choices=AccountKind.choices)
    amount_cents = models.BigIntegerField("montant (centimes, négatif pour un retrait)")
    reason = models.CharField("motif", max_length=500)
    status = models.CharField(
        max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField("motif de la décision", max_length=500, blank=True, default="")
    transaction = models.ForeignKey(
        LedgerTransaction, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        verbose_name = "régularisation de droits"
        verbose_name_plural = "régularisations de droits"
        ordering = ["-proposed_at", "-id"]
        permissions = [
            ("propose_adjustment", "Proposer une régularisation de droits"),
            ("approve_adjustment", "Approuver une régularisation de droits"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="rights_adjustment_non_zero"),
            # The two-person rule, enforced by the database too.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="rights_adjustment_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"Régularisation {self.pk} ({self.get_status_display()})"
