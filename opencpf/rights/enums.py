"""Choices of the rights domain."""

from __future__ import annotations

from django.db import models


class AccountKind(models.TextChoices):
    # Held for a holder (by NIR hash): cached balance, never negative.
    RIGHTS = "rights", "Droits CPF"
    DIF = "dif", "Heures DIF converties"
    TOPUP = "topup", "Abondement"
    # Platform side: no cached balance (hot rows), balance = sum of entries, may be negative.
    OPERATOR_FUNDING = "operator_funding", "Financement de l'opérateur"
    FUNDER = "funder", "Financeur (origine des abondements)"
    HOLDS = "holds", "Sommes réservées"
    PROVIDER_PAYABLE = "provider_payable", "Dû aux organismes"
    HOLDER_PAYMENT = "holder_payment", "Paiements des titulaires"
    PROVIDER_PAID = "provider_paid", "Virements aux organismes"


HOLDER_KINDS = (AccountKind.RIGHTS, AccountKind.DIF, AccountKind.TOPUP)


class FunderKind(models.TextChoices):
    EMPLOYER = "employer", "Employeur"
    OPCO = "opco", "OPCO"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    REGION = "region", "Région"
    STATE = "state", "État"
    OTHER = "other", "Autre"


class TransactionKind(models.TextChoices):
    CREDIT_YEAR = "credit_year", "Alimentation annuelle"
    TOPUP = "topup", "Abondement"
    CORRECTIVE_TOPUP = "corrective_topup", "Abondement correctif"
    DIF = "dif", "Reprise des heures DIF"
    RESERVE = "reserve", "Réservation"
    CAPTURE = "capture", "Débit à l'entrée en formation"
    RELEASE = "release", "Restitution"
    PROVIDER_PAYMENT = "provider_payment", "Paiement d'un organisme"
    ADJUSTMENT = "adjustment", "Régularisation"
    DISPUTE_REFUND = "dispute_refund", "Remboursement après litige"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", "Réservé"
    CAPTURED = "captured", "Débité"
    RELEASED = "released", "Restitué"


class DifStatus(models.TextChoices):
    PENDING = "pending", "En attente d'examen"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


# Absence codes accepted in declarations (inspired by the DSN "motif d'arrêt / de suspension").
# Value: (French label, counts as worked time for the CPF).
ABSENCE_CODES: dict[str, tuple[str, bool]] = {
    "01": ("Maladie", False),
    "02": ("Maternité", True),
    "03": ("Paternité et accueil de l'enfant", True),
    "04": ("Accident du travail", True),
    "05": ("Maladie professionnelle", True),
    "06": ("Temps partiel thérapeutique", False),
    "07": ("Accident de trajet", True),
    "08": ("Adoption", True),
    "09": ("Congé parental d'éducation", True),
    "10": ("Congé de présence parentale", True),
    "11": ("Congé de proche aidant", True),
    "12": ("Congé sans solde", False),
}


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "En attente d'approbation"
    APPROVED = "approved", "Approuvée"
    REFUSED = "refused", "Refusée"


# Accounts an agent may correct (top-ups belong to their funders: corrected by the funder, not by an agent).
ADJUSTABLE_KINDS = (AccountKind.RIGHTS, AccountKind.DIF)
