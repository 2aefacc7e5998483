from opencpf.core.exceptions import Conflict, DomainError


class AlertAlreadyDecided(Conflict):
    code = "alert_decided"
    message = "Cette alerte a déjà été tranchée."


class DecisionReasonRequired(DomainError):
    code = "decision_reason_required"
    message = "Indiquez le motif de votre décision."
