from opencpf.core.exceptions import Conflict, DomainError, NotFound


class AlertAlreadyDecided(Conflict):
    code = "alert_decided"
    message = "Cette alerte a déjà été tranchée."


class DecisionReasonRequired(DomainError):
    code = "decision_reason_required"
    message = "Indiquez le motif de votre décision."


class ActionNotApplicable(DomainError):
    code = "alert_action_not_applicable"
    message = "Cette action ne s'applique pas à cette alerte."


class InvalidSuspension(DomainError):
    code = "invalid_suspension"
    message = "La durée de suspension doit être comprise entre 7 jours et 1 an."


class ControlClosed(Conflict):
    code = "control_closed"
    message = "Ce contrôle est clos."


class InvalidProof(DomainError):
    code = "invalid_proof"
    message = "Justificatif refusé : envoyez un fichier PDF, JPEG ou PNG de 10 Mo au plus."


class NothingToControl(DomainError):
    code = "nothing_to_control"
    message = "Choisissez au moins un dossier de cet organisme à contrôler."


class InvalidSanction(DomainError):
    code = "invalid_sanction"
    message = "Cette sanction ne peut pas être prononcée ainsi."


class ControlNotFound(NotFound):
    code = "control_not_found"
    message = "Ce contrôle est introuvable."
