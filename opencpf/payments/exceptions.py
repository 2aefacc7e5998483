from opencpf.core.exceptions import Conflict, DomainError, PermissionDenied


class InvalidBankDetails(DomainError):
    code = "invalid_bank_details"
    message = "Les coordonnées bancaires ne sont pas valides."


class BankChangeAlreadyPending(Conflict):
    code = "bank_change_pending"
    message = "Un changement de coordonnées bancaires est déjà en attente de validation."


class BankChangeNotPending(Conflict):
    code = "bank_change_not_pending"
    message = "Ce changement de coordonnées bancaires a déjà été traité."


class StrongAuthenticationRequired(PermissionDenied):
    code = "strong_authentication_required"
    message = (
        "Pour modifier vos coordonnées bancaires, confirmez votre identité avec un second facteur "
        "(code à usage unique) puis recommencez."
    )


class NotAllowedToApprove(PermissionDenied):
    code = "bank_change_forbidden"
    message = "Votre rôle ne permet pas de valider un changement de coordonnées bancaires."


class PaymentRunStateError(Conflict):
    code = "payment_run_state"
    message = "Cette action n'est pas possible dans l'état actuel de la campagne de paiement."
