"""The OpenAPI document tells every answer an operation may give, errors included.

Ninja documents only the success responses a router declares; every operation can also answer with a
problem+json error (invalid input, authentication, a domain rule, the database down for a moment). They are
added here, once, with an example each, so that clients (and the contract tests) can rely on the document.
The `Idempotency-Key` header honoured by `opencpf.api.idempotency` is documented on every POST.
Every JSON request body and success response without an example of its own gets one, built from its schema
(`example_for`), so the rendered documentation always shows what to send and what comes back.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from opencpf.api.errors import PROBLEM_CONTENT_TYPE, TITLES
from opencpf.api.idempotency import MAX_KEY_LENGTH
from opencpf.api.parser import SingleValueParser

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


# Plausible values for fields named like these (checked in order, on the lower-cased property name).
NAMED_EXAMPLES: tuple[tuple[str, Any], ...] = (
    ("siret", "73282932000074"),
    ("iban", "FR7630006000011234567890189"),
    ("bic", "AGRIFRPP"),
    ("email", "camille.martin@example.org"),
    ("postcode", "69003"),
    ("code_postal", "69003"),
    ("insee", "69123"),
    ("certification", "RS5000"),
    ("cents", 150_000),
    ("number", "26030200001"),
    ("numero", "26030200001"),
    ("reference", "A-2026-001"),
    ("city", "Lyon"),
    ("ville", "Lyon"),
    ("title", "Anglais professionnel"),
    ("titre", "Anglais professionnel"),
    ("name", "FormaPro Lyon"),
    ("nom", "FormaPro Lyon"),
)
STRING_FORMATS = {
    "date": "2026-03-02",
    "date-time": "2026-03-02T10:00:00+01:00",
    "email": "camille.martin@example.org",
    "uri": "https://opencpf.example/",
    "uuid": "0b6f7c1e-4d2a-4a8e-9b57-3f1c2d9e8a10",
}


def example_for(schema: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """A value that fits `schema`: its own example or default first, then an enum's first value, then a value by
    type (and by property name for strings and integers)."""
    if "$ref" in schema:
        target = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return example_for(target, components, name, depth + 1) if depth < 8 else None
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return example_for(options[0], components, name, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, components, name, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    lowered = name.lower()
    if kind == "object" or "properties" in schema:
        if depth >= 8:
            return {}
        return {
            prop: example_for(sub, components, prop, depth + 1) for prop, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example_for(schema.get("items", {}), components, name, depth + 1)]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        named = next((v for hint, v in NAMED_EXAMPLES if hint in lowered and isinstance(v, int)), None)
        value = named if named is not None else (4.5 if kind == "number" else 1)
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            value = low
        if high is not None and value > high:
            value = high
        return value
    if kind == "string":
        if schema.get("format") in STRING_FORMATS:
            return STRING_FORMATS[schema["format"]]
        value = next((v for hint, v in NAMED_EXAMPLES if hint in lowered and isinstance(v, str)), "texte")
        return value[: schema["maxLength"]] if "maxLength" in schema else value
    return None


def document_examples(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.get("components", {}).get("schemas", {})

    def fill(content: dict[str, Any]) -> None:
        media = content.get("application/json")
        if media and "schema" in media and "example" not in media and "examples" not in media:
            media["example"] = example_for(media["schema"], components)

    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            fill(operation.get("requestBody", {}).get("content", {}))
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith("2"):
                    fill(response.get("content", {}))
    return schema


# OpenAPI links: where a value an answer gives is the parameter of a next operation (list -> item -> action).
# Clients (and Swagger UI) read them; the stateful fuzz follows them (tests/hardening/test_api_contract.py).
OFFER_ACTIONS = (
    "GET {o}",
    "PATCH {o}",
    "POST {o}/publish",
    "POST {o}/unpublish",
    "POST {o}/duplicate",
    "GET {o}/changes",
    "GET {o}/sessions",
    "POST {o}/sessions",
)
DOSSIER_ACTIONS = ("GET {d}",) + tuple(
    f"POST {{d}}/{action}"
    for action in (
        "retrait",
        "acceptation",
        "declin",
        "annulation",
        "proposition",
        "refus",
        "entree",
        "sortie",
        "validation-service-fait",
        "evaluation",
    )
)
SESSION_ACTIONS = (
    "PATCH /catalogue/sessions/{s}",
    "POST /catalogue/sessions/{s}/duplicate",
    "GET /sessions/{s}/repartition",
)
DISPUTE_ACTIONS = ("GET {r}", "POST {r}/messages")
LINKS: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    # (source operation, status, target operations, target parameter, runtime expression of its value)
    ("GET /catalogue/offers", "200", ("GET {o}",), "offer_id", "$response.body#/items/0/id"),
    ("POST /catalogue/offers", "201", OFFER_ACTIONS, "offer_id", "$response.body#/id"),
    ("GET /catalogue/offers/{offer_id}", "200", OFFER_ACTIONS[1:], "offer_id", "$response.body#/id"),
    ("POST /catalogue/offers/{offer_id}/duplicate", "201", OFFER_ACTIONS, "offer_id", "$response.body#/id"),
    ("GET /catalogue/offers/{offer_id}/sessions", "200", SESSION_ACTIONS, "session_id", "$response.body#/0/id"),
    ("POST /catalogue/offers/{offer_id}/sessions", "201", SESSION_ACTIONS, "session_id", "$response.body#/id"),
    ("POST /catalogue/sessions/{session_id}/duplicate", "201", SESSION_ACTIONS, "session_id", "$response.body#/id"),
    ("GET /dossiers", "200", ("GET {d}",), "number", "$response.body#/items/0/number"),
    ("POST /dossiers", "201", DOSSIER_ACTIONS, "number", "$response.body#/number"),
    ("GET /dossiers/{number}", "200", DOSSIER_ACTIONS[1:], "number", "$response.body#/number"),
    ("GET /disputes", "200", ("GET {r}",), "reference", "$response.body#/0/reference"),
    ("POST /disputes", "201", DISPUTE_ACTIONS, "reference", "$response.body#/reference"),
    ("GET /disputes/{reference}", "200", DISPUTE_ACTIONS[1:], "reference", "$response.body#/reference"),
)
PLACEHOLDERS = {
    "{o}": "/catalogue/offers/{offer_id}",
    "{d}": "/dossiers/{number}",
    "{r}": "/disputes/{reference}",
    "{s}": "{session_id}",
}


def document_links(schema: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Add `LINKS` to the operations' success responses, by operationId; a missing operation is an error."""
    paths = schema.get("paths", {})

    def operation(label: str) -> dict[str, Any]:
        method, path = label.split(" ", 1)
        for short, full in PLACEHOLDERS.items():
            path = path.replace(short, full)
        return paths[prefix.rstrip("/") + path][method.lower()]

    for source, status, targets, parameter, expression in LINKS:
        response = operation(source)["responses"][int(status)]
        links = response.setdefault("links", {})
        for target in targets:
            target_id = operation(target)["operationId"]
            name = "".join(part.capitalize() for part in target_id.removeprefix("opencpf_api_routers_").split("_"))
            links[name] = {"operationId": target_id, "parameters": {parameter: expression}}
    return schema


class ProblemNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document includes the problem+json errors and the Idempotency-Key header, and
    which refuses a repeated single-value parameter (`opencpf.api.parser`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", SingleValueParser())
        super().__init__(*args, **kwargs)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        document_examples(schema)
        document_links(schema, path_prefix if path_prefix is not None else self.get_root_path(path_params or {}))
        return schema
