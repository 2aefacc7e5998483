"""A database that is down for a moment gives people a clear French 503 page (and programs a problem+json),
never a stack trace; the transaction was rolled back, so nothing is half-written."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from opencpf.api.errors import RETRY_AFTER_SECONDS, service_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return unavailable_response(request)
        return None


def is_database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: they may need the database too."""
    logger.warning("Database unavailable while serving %s", request.path)
    if request.path.startswith("/api/"):
        return service_unavailable(request)
    else:
        body = loader.render_to_string(
            "web/error.html",
            {
                "status": 503,
                "heading": "Service momentanément indisponible",
                "message": "Le service est momentanément indisponible. Rien n'a été enregistré : "
                "réessayez dans quelques instants.",
            },
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
