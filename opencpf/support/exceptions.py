from opencpf.core.exceptions import Conflict, DomainError, PermissionDenied


class InvalidSupportRequest(DomainError):
    code = "invalid_support_request"
    message = "La demande est incomplète."


class TicketClosed(Conflict):
    code = "ticket_closed"
    message = "Cette demande est clôturée. Ouvrez une nouvelle demande si besoin."


class NotYourTicket(PermissionDenied):
    code = "ticket_forbidden"
    message = "Cette demande n'est pas la vôtre."


class TooManyReports(DomainError):
    code = "too_many_reports"
    message = "Vous avez envoyé beaucoup de signalements en peu de temps. Réessayez dans une heure."
    status = 429


class DisputeInvalid(DomainError):
    code = "dispute_invalid"
    message = "Le litige est incomplet."


class DisputeNotAllowed(DomainError):
    code = "dispute_not_allowed"
    message = "Un litige ne peut pas être ouvert sur ce dossier."
    status = 409


class DisputeAlreadyOpen(Conflict):
    code = "dispute_already_open"
    message = "Un litige est déjà en cours sur ce dossier : écrivez dans ce litige."


class DisputeClosed(Conflict):
    code = "dispute_closed"
    message = "Ce litige est clôturé."


class DisputeExchangeOver(Conflict):
    code = "dispute_exchange_over"
    message = "Le délai des échanges est passé : un gestionnaire examine le litige et vous informera de sa décision."


class DisputeForbidden(PermissionDenied):
    code = "dispute_forbidden"
    message = "Vous n'avez pas le droit d'effectuer cette action sur ce litige."


class InvalidAttachment(DomainError):
    code = "invalid_attachment"
    message = "La pièce jointe doit être un fichier PDF, JPEG ou PNG."
