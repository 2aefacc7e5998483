"""Catalogue errors: stable codes, French messages."""

from __future__ import annotations

from opencpf.core.exceptions import Conflict, DomainError, NotFound


class CatalogueError(DomainError):
    code = "catalogue_error"


class InvalidOfferData(CatalogueError):
    code = "invalid_offer"
    message = "Les informations de l'offre ne sont pas valides."
    status = 422


class OfferNotPublishable(CatalogueError):
    code = "offer_not_publishable"
    message = "L'offre ne peut pas être publiée."
    status = 409

    def __init__(self, problems: list[str]) -> None:
        super().__init__("L'offre ne peut pas être publiée : " + " ; ".join(problems) + ".", problems=list(problems))
        self.problems = list(problems)


class UnknownCertification(CatalogueError):
    code = "unknown_certification"
    message = "Cette certification est inconnue du répertoire."
    status = 422


class InvalidApplication(CatalogueError):
    code = "invalid_application"
    message = "La demande de référencement n'est pas valide."
    status = 422


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "Cette décision n'est pas possible dans l'état actuel du référencement."


class ReasonRequired(CatalogueError):
    code = "reason_required"
    message = "Un motif est obligatoire pour cette décision."
    status = 422


class OfferNotFound(NotFound):
    code = "offer_not_found"
    message = "Cette offre est introuvable."


class LheoError(CatalogueError):
    code = "lheo_invalid"
    message = "Le fichier LHEO n'est pas valide."
    status = 422


class ReferentialFileError(CatalogueError):
    code = "referential_file_invalid"
    message = "Le fichier du référentiel est illisible."
    status = 422
