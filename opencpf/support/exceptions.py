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
