"""Input no database can store is refused at the API's door: a NUL character (in the path, the query string
or a JSON body) makes PostgreSQL fail deep inside a query; Django's forms refuse it, the API does the same
with a clear problem+json 400 before any work."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opencpf.api.errors import problem

API_PREFIX = "/api/"
_NUL_ESCAPED = re.compile(rb"%00|\\u0000", re.IGNORECASE)


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _NUL_ESCAPED.search(request.META.get("QUERY_STRING", "").encode()):
        return True
    if request.method in ("POST", "PUT", "PATCH") and (request.content_type or "").endswith("json"):
        body = request.body
        return b"\x00" in body or _NUL_ESCAPED.search(body) is not None
    return False


class ApiInputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and has_nul(request):
            return problem(request, 400, "null_character", "La requête contient un caractère nul (U+0000), refusé.")
        return self.get_response(request)
