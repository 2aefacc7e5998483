"""Reviews errors: stable codes, French messages."""

from __future__ import annotations

from opencpf.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied


class RatingNotAllowed(PermissionDenied):
    code = "rating_forbidden"
    message = "Seul le titulaire du dossier peut noter cette formation."


class RatingTooEarly(Conflict):
    code = "rating_too_early"
    message = "Vous pourrez noter la formation lorsque l'organisme aura déclaré votre sortie."


class AlreadyRated(Conflict):
    code = "already_rated"
    message = "Vous avez déjà noté cette formation."


class InvalidScores(DomainError):
    code = "invalid_scores"
    message = "Donnez une note de 1 à 5 à chacun des cinq critères."


class RatingNotFound(NotFound):
    code = "rating_not_found"
    message = "Cette évaluation est introuvable."


class ModerationRefused(Conflict):
    code = "moderation_refused"
    message = "Ce commentaire a déjà été modéré."


class ModerationNotAllowed(PermissionDenied):
    code = "moderation_forbidden"
    message = "Votre rôle ne permet pas de modérer les commentaires."


class ReasonRequired(DomainError):
    code = "reason_required"
    message = "Indiquez le motif du refus."
