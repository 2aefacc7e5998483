"""Enrolment errors: stable codes, French messages."""

from __future__ import annotations

from opencpf.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from opencpf.identity.exceptions import PurchaseBlocked as PurchaseNotAllowed
from opencpf.identity.exceptions import StrongAuthenticationRequired

__all__ = ["PurchaseNotAllowed", "StrongAuthenticationRequired"]


class DossierNotFound(NotFound):
    code = "dossier_not_found"
    message = "Ce dossier est introuvable."


class TransitionRefused(Conflict):
    code = "transition_refused"
    message = "Cette action n'est pas possible dans l'état actuel du dossier."


class ActorNotAllowed(PermissionDenied):
    code = "transition_forbidden"
    message = "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    message = "Le délai pour cette action est dépassé."


class TooEarly(Conflict):
    code = "too_early"
    message = "Cette action n'est pas encore possible."


class OfferNotAvailable(DomainError):
    code = "offer_not_available"
    message = "Cette session n'est pas ouverte aux inscriptions."


class TooManyOpenRequests(Conflict):
    code = "too_many_open_requests"
    message = "Vous avez déjà le nombre maximal de demandes en cours pour cette formation."


class StartTooSoon(DomainError):
    code = "start_too_soon"
    message = "La date d'entrée en formation est trop proche."


class InvalidProposal(DomainError):
    code = "invalid_proposal"
    message = "La proposition n'est pas valide."


class ReasonRequired(DomainError):
    code = "reason_required"
    message = "Indiquez un motif."


class InvalidExit(DomainError):
    code = "invalid_exit"
    message = "La déclaration de sortie n'est pas valide."


class ControlOpen(Conflict):
    code = "control_open"
    message = "Un contrôle est en cours sur ce dossier : le service fait ne peut pas être validé."
