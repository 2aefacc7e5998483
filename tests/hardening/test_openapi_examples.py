"""Every JSON request body and success response of the API shows an example, and each example fits its schema."""

from __future__ import annotations

import jsonschema_rs
import pytest

from opencpf.api.openapi import example_for

pytestmark = pytest.mark.django_db


def media_types(document):  # type: ignore[no-untyped-def]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield f"{method.upper()} {path} (corps)", body
            for status, response in operation.get("responses", {}).items():
                media = response.get("content", {}).get("application/json")
                if str(status).startswith("2") and media:
                    yield f"{method.upper()} {path} ({status})", media


def test_every_body_and_success_response_has_an_example_that_fits_its_schema(client):
    document = client.get("/api/v1/openapi.json").json()
    seen, wrong = 0, []
    for where, media in media_types(document):
        seen += 1
        assert "example" in media or "examples" in media, f"{where} : pas d'exemple"
        schema = {**media["schema"], "components": document["components"]}
        example = media.get("example", next(iter(media.get("examples", {}).values()), {}).get("value"))
        if not jsonschema_rs.Draft202012Validator(schema).is_valid(example):
            wrong.append(where)
    assert seen > 30  # the API has dozens of JSON operations: the walk really looked at them
    assert wrong == []


def test_examples_follow_the_schema_names_formats_and_bounds():
    components = {"Amount": {"type": "integer", "minimum": 100}}
    schema = {
        "type": "object",
        "properties": {
            "siret": {"type": "string"},
            "price_cents": {"type": "integer"},
            "start": {"type": "string", "format": "date"},
            "modality": {"type": "string", "enum": ["presentiel", "distance"]},
            "min": {"$ref": "#/components/schemas/Amount"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
            "note": {"anyOf": [{"type": "null"}, {"type": "number", "maximum": 5}]},
        },
    }
    assert example_for(schema, components) == {
        "siret": "73282932000074",
        "price_cents": 150_000,
        "start": "2026-03-02",
        "modality": "presentiel",
        "min": 100,
        "tags": ["tex"],
        "note": 4.5,
    }


def test_schema_names_are_unique_across_routers():
    """Ninja names each component after its class: two `ItemOut` in two routers silently became one, and the
    search response was documented with the payments' items (schemathesis caught it)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import opencpf.api.routers as routers

    seen: dict[str, str] = {}
    clashes = []
    for module_info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"opencpf.api.routers.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                if name in seen:
                    clashes.append(f"{name}: {seen[name]} et {module_info.name}")
                seen[name] = module_info.name
    assert len(seen) > 20 and clashes == []


def test_every_link_targets_an_operation_and_one_of_its_path_parameters(client):
    """The OpenAPI links (opencpf.api.openapi.LINKS) the stateful fuzz follows name real operations and
    parameters, with a runtime expression reading the answer's body."""
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)
    }
    links = [
        (op["operationId"], link)
        for op in operations.values()
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) > 40
    for source, link in links:
        target = operations[link["operationId"]]
        path_parameters = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
        for name, expression in link["parameters"].items():
            assert name in path_parameters, f"{source} -> {link['operationId']}: no path parameter {name}"
            assert expression.startswith("$response.body#/"), expression


def test_the_idempotency_key_is_documented_as_required_where_the_server_requires_it(client):
    """A funder's top-up without the header is refused (400 idempotency_key_required, tests/rights/test_web_api.py):
    the document says so; on other POSTs the header stays optional."""
    document = client.get("/api/v1/openapi.json").json()
    required = {
        (path, method)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p["name"] == "Idempotency-Key" and p["required"]
    }
    assert required == {("/api/v1/rights/topups", "post")}
