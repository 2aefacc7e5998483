"""Identity errors: a stable code for programs and a French message for people."""

from __future__ import annotations

from opencpf.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied


class HolderAlreadyExists(Conflict):
    code = "holder_exists"
    message = "Un compte existe déjà pour ce numéro de sécurité sociale."


class StrongAuthenticationRequired(DomainError):
    code = "strong_auth_required"
    message = (
        "Cette action demande une authentification renforcée. Connectez-vous avec FranceConnect "
        "(niveau substantiel) ou validez le code de sécurité envoyé à votre adresse électronique "
        "ou affiché par votre application d'authentification, depuis la page « Sécurité » de votre compte."
    )
    status = 403


class PurchaseBlocked(DomainError):
    code = "purchase_blocked"
    message = "Les achats sont momentanément bloqués sur ce compte."
    status = 403


class RateLimited(DomainError):
    code = "too_many_requests"
    message = "Trop de demandes en peu de temps. Réessayez dans une heure."
    status = 429


class InvalidCode(DomainError):
    code = "invalid_code"
    message = "Le code saisi est incorrect ou a expiré. Demandez un nouveau code."


class InvalidToken(DomainError):
    code = "invalid_token"
    message = "Ce lien ou ce jeton n'est pas valide ou a expiré."
    status = 401


class LinkInvalid(DomainError):
    code = "invalid_link"
    message = "Ce lien n'est pas valide ou a expiré. Demandez-en un nouveau."


class NotProviderAdministrator(PermissionDenied):
    code = "not_provider_administrator"
    message = "Seul un administrateur de l'organisme peut gérer ses membres."


class LastAdministrator(Conflict):
    code = "last_administrator"
    message = "L'organisme doit garder au moins un administrateur."


class MemberEmailTaken(Conflict):
    code = "member_email_taken"
    message = "Cette adresse électronique est déjà utilisée par un compte qui n'est pas celui d'un organisme."


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    message = "Ce membre est introuvable."


class AuditReasonRequired(DomainError):
    code = "audit_reason_required"
    message = "Indiquez le motif de la consultation des données personnelles."


class AgentPermissionDenied(PermissionDenied):
    code = "agent_forbidden"
    message = "Votre rôle ne permet pas de consulter les données personnelles des titulaires."


class FranceConnectError(DomainError):
    code = "franceconnect_error"
    message = (
        "La connexion avec FranceConnect a échoué. Réessayez ou connectez-vous avec votre numéro de sécurité sociale."
    )


class FranceConnectMismatch(DomainError):
    code = "franceconnect_mismatch"
    message = (
        "L'identité transmise par FranceConnect (nom de naissance, prénoms, date de naissance, sexe ou lieu "
        "de naissance) ne correspond pas à celle de votre compte formation. Aucune connexion n'a été faite. "
        "Vérifiez l'identité utilisée sur FranceConnect ou contactez le support."
    )
    status = 403


class FranceConnectNoAccount(DomainError):
    code = "franceconnect_no_account"
    message = (
        "Aucun compte formation ne correspond à votre identité FranceConnect. Activez d'abord votre compte "
        "avec votre numéro de sécurité sociale, puis reliez-le à FranceConnect."
    )
    status = 404


class SecondFactorRequired(DomainError):
    code = "second_factor_required"
    message = (
        "Validez d'abord le second facteur de votre connexion (code de votre application d'authentification) "
        "sur la page « Vérification de sécurité » de l'espace gestionnaires."
    )
    status = 403


class SecondFactorLocked(DomainError):
    code = "second_factor_locked"
    message = (
        "Par sécurité, la vérification est bloquée pendant une heure après plusieurs codes erronés. "
        "Réessayez plus tard ou demandez à un administrateur de réinitialiser votre application d'authentification."
    )
    status = 429
