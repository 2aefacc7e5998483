"""Errors as RFC 9457 problem+json: a stable `code` for programs, a French `detail` for people."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from opencpf.core.exceptions import DomainError

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service momentanément indisponible",
}


def problem(request: HttpRequest | None, status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"https://opencpf.example/problemes/{code}",
        "title": TITLES.get(status, "Erreur"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


RETRY_AFTER_SECONDS = 30


def service_unavailable(request: HttpRequest | None) -> HttpResponse:
    """The database is down for a moment: nothing was written; the client may retry."""
    response = problem(
        request,
        503,
        "service_unavailable",
        "Le service est momentanément indisponible. Réessayez dans quelques instants.",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        out.append({"champ": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")})
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        extra = {k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool | list)}
        return problem(request, exc.status, exc.code, exc.message, **extra)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(
            request,
            422,
            "validation_error",
            "Certaines données envoyées sont invalides.",
            errors=_field_errors(exc.errors),
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            request, 401, "authentication_required", "Vous devez vous identifier pour accéder à cette ressource."
        )

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem(request, 403, "forbidden", "Vous n'avez pas le droit d'accéder à cette ressource.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(request, 404, "not_found", "Cet élément est introuvable.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "authentication_required",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            429: "too_many_requests",
        }.get(exc.status_code, "error")
        return problem(
            request, exc.status_code, code, str(exc.message) if exc.message else TITLES.get(exc.status_code, "Erreur")
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        from django.db import DatabaseError, InterfaceError, OperationalError

        if isinstance(exc, OperationalError | InterfaceError):
            logger.warning("Database unavailable while serving %s", request.path)
            return service_unavailable(request)
        if isinstance(exc, DatabaseError):
            logger.exception("Database error while serving %s", request.path)
        else:
            logger.exception("Unexpected error while serving %s", request.path)
        return problem(request, 500, "internal_error", "Une erreur inattendue est survenue. Elle a été enregistrée.")
