"""Errors of the rights domain (stable code, French message)."""

from __future__ import annotations

from opencpf.core.exceptions import Conflict, DomainError, NotFound


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    message = "Le solde disponible ne permet plus de financer ce montant. Actualisez le devis."


class ReservationConflict(Conflict):
    code = "reservation_conflict"
    message = "Ce dossier a déjà une réservation différente."


class ReservationNotFound(NotFound):
    code = "reservation_not_found"
    message = "Aucune réservation n'existe pour ce dossier."


class ReservationClosed(Conflict):
    code = "reservation_closed"
    message = "Cette réservation a déjà été débitée ou restituée."


class InvalidAmountForRights(DomainError):
    code = "invalid_amount"
    message = "Le montant doit être un nombre entier de centimes positif."


class HolderMismatch(DomainError):
    code = "holder_mismatch"
    message = "Le nom de naissance ne correspond pas au numéro de sécurité sociale indiqué."


class UnknownCertification(DomainError):
    code = "unknown_certification"
    message = "Cette certification est inconnue : l'abondement ne peut pas y être fléché."


class CorrectiveTopupNotOwed(DomainError):
    code = "corrective_topup_not_owed"
    message = "L'abondement correctif n'est dû que par les employeurs d'au moins 50 salariés."


class DifAlreadyClaimed(Conflict):
    code = "dif_already_claimed"
    message = "Vos heures DIF ont déjà été déclarées : la déclaration ne peut être faite qu'une fois."


class DifInvalidHours(DomainError):
    code = "dif_invalid_hours"
    message = "Le nombre d'heures DIF doit être un nombre entier d'heures, au moins 1."


class DifClaimClosed(Conflict):
    code = "dif_claim_closed"
    message = "Cette déclaration d'heures DIF a déjà été examinée."


class DeclarationError(DomainError):
    code = "invalid_declaration"
    message = "La déclaration est invalide."


class AdjustmentInvalid(DomainError):
    code = "adjustment_invalid"
    message = "La régularisation est incomplète."


class AdjustmentClosed(Conflict):
    code = "adjustment_closed"
    message = "Cette régularisation a déjà été décidée."


class AdjustmentOwnProposal(DomainError):
    code = "adjustment_own_proposal"
    message = (
        "Vous ne pouvez pas décider d'une régularisation que vous avez proposée : un autre gestionnaire doit le faire."
    )
    status = 403


class AdjustmentNotAllowed(DomainError):
    code = "adjustment_forbidden"
    message = "Votre rôle ne permet pas cette action sur les régularisations."
    status = 403


class RefundInvalid(DomainError):
    code = "refund_invalid"
    message = "Le remboursement demandé dépasse ce qui a été débité pour ce dossier."
