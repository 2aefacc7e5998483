"""The OpenAPI document tells every answer an operation may give, errors included.

Ninja documents only the success responses a router declares; every operation can also answer with a
problem+json error (invalid input, authentication, a domain rule, the database down for a moment). They are
added here, once, with an example each, so that clients (and the contract tests) can rely on the document.
The `Idempotency-Key` header honoured by `opencpf.api.idempotency` is documented on every POST.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from opencpf.api.errors import PROBLEM_CONTENT_TYPE, TITLES
from opencpf.api.idempotency import MAX_KEY_LENGTH

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Erreur au format RFC 9457 : `code` stable pour les programmes, `detail` en français.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"champ": {"type": "string"}, "message": {"type": "string"}, "type": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

EXAMPLES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "La requête est invalide."),
    401: ("authentication_required", "Vous devez vous identifier pour accéder à cette ressource."),
    403: ("forbidden", "Vous n'avez pas le droit d'accéder à cette ressource."),
    404: ("not_found", "Cet élément est introuvable."),
    409: ("conflict", "Cet élément a changé entre-temps. Rechargez-le puis réessayez."),
    422: ("validation_error", "Certaines données envoyées sont invalides."),
    429: ("too_many_requests", "Trop de tentatives. Réessayez dans quelques minutes."),
    503: ("service_unavailable", "Le service est momentanément indisponible. Réessayez dans quelques instants."),
}

IDEMPOTENCY_HEADER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Clé choisie par le client : la même requête rejouée avec la même clé n'agit qu'une fois.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "example": "0b6f7c1e-4d2a-4a8e-9b57-3f1c2d9e8a10",
}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The problem+json statuses an operation may answer with, besides its success responses."""
    statuses = [400, 401, 403, 404, 422, 429, 503]  # credentials are checked by open operations too (token)
    if method in ("post", "put", "patch", "delete"):
        statuses.append(409)
    return sorted(statuses)


def problem_response(status: int, path: str) -> dict[str, Any]:
    code, detail = EXAMPLES[status]
    example = {
        "type": f"https://opencpf.example/problemes/{code}",
        "title": TITLES[status],
        "status": status,
        "code": code,
        "detail": detail,
        "instance": path,
    }
    return {
        "description": TITLES[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}},
    }


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            documented = {str(code): code for code in responses}  # Ninja's keys are ints: never write one twice
            for status in error_statuses(method, operation):
                extra = problem_response(status, path)
                if str(status) in documented:  # e.g. the LHEO report on 422: a problem+json may come instead
                    content = responses[documented[str(status)]].setdefault("content", {})
                    content.setdefault(PROBLEM_CONTENT_TYPE, extra["content"][PROBLEM_CONTENT_TYPE])
                else:
                    responses[str(status)] = extra
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_HEADER["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_HEADER))
    return schema


class ProblemNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document includes the problem+json errors and the Idempotency-Key header."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema
