"""The API contract, fuzzed over HTTP: schemathesis reads `/api/v1/openapi.json` from a real server on loopback
(pytest-django's `live_server`, the whole middleware stack) loaded with the demo data, then sends valid and
invalid requests to every operation. Every answer must be documented (status, content type, body schema), no
answer is a 5xx, invalid input is refused, every error is problem+json with a stable `code`, no body holds a
NIR in clear and token pairs are never cacheable.

Credentials are schemathesis's own OpenAPI-aware auth (one per security scheme of the document), applied per
case by schemathesis: a negative case that removes or garbles the `Authorization` or `X-API-Key` header keeps
what it generated (the server must refuse it), every other case is sent with a valid credential for the
scheme the operation asks for.

Generation is derandomized (the same requests on every run); `OPENCPF_FUZZ_EXAMPLES` sets the number of
examples per operation, generation mode and identity; `OPENCPF_FUZZ_ONLY` (a path fragment) narrows the run
to reproduce one operation's failures.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from opencpf.api.errors import PROBLEM_CONTENT_TYPE
from opencpf.catalogue.models import Provider
from opencpf.identity.models import Holder, ProviderMembership
from opencpf.identity.tokens import api_token_issue, provider_api_key_create
from opencpf.rights import services as rights_services
from opencpf.web import demo
from tests.identity.nir_guard import find_nirs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCHEMA_PATH = "/api/v1/openapi.json"
# Revoking the token would turn every later request of the run into a 401: its contract is tested elsewhere
# (tests/hardening/test_idempotent_posts.py, tests/identity/test_api.py).
SKIPPED = {"POST /api/v1/auth/revoke"}
EXAMPLES = int(os.environ.get("OPENCPF_FUZZ_EXAMPLES", "15"))
SECRET_FIELDS = {"access_token", "refresh_token"}


def problem_json_with_code(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """Every error is RFC 9457 problem+json with a stable `code` (programs branch on it, never on `detail`)."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM_CONTENT_TYPE), (
        f"{response.status_code} answered as {content_type!r}, not problem+json"
    )
    code = response.json().get("code")
    assert isinstance(code, str) and code, "problem without a code"


def no_clear_nir(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """No answer holds a NIR in clear (the demo's and the test NIRs, spaced or compact)."""
    leaks = find_nirs(response.text)
    assert not leaks, f"clear NIR in the body: {leaks}"


def secrets_not_cacheable(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """A token pair is answered with `Cache-Control: no-store` (RFC 6749 5.1; also keeps it out of the
    idempotency store)."""
    if response.status_code != 200 or not response.headers.get("content-type", [""])[0].endswith("json"):
        return
    body = response.json()
    if isinstance(body, dict) and SECRET_FIELDS & set(body):
        cache_control = response.headers.get("cache-control", [""])[0]
        assert "no-store" in cache_control, f"token pair answered with Cache-Control {cache_control!r}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    problem_json_with_code,
    no_clear_nir,
    secrets_not_cacheable,
]


@dataclass
class Credentials:
    holder_bearer: str
    provider_key: str
    funder_key: str


@dataclass
class Identity:
    """Who the run speaks as: the credential per security scheme, and which operations it runs."""

    name: str
    schemes: dict[str, dict[str, str]]
    shared_only: bool  # only the operations several kinds of caller may use (dossiers, disputes)


def identity(name: str, creds: Credentials) -> Identity:
    holder = {"bearer": creds.holder_bearer}
    keys = {"ProviderKeyAuth": {"api_key": creds.provider_key}, "FunderKey": {"api_key": creds.funder_key}}
    if name == "holder":  # the shared operations list UserTokenAuth first: a holder's bearer is used there
        return Identity(name, {"HolderTokenAuth": holder, "UserTokenAuth": holder, **keys}, shared_only=False)
    # No UserTokenAuth: the shared operations fall to their next requirement, the provider's key.
    return Identity(name, {"ProviderKeyAuth": keys["ProviderKeyAuth"]}, shared_only=True)


@pytest.fixture
def credentials(live_server: Any) -> Credentials:
    demo.load()
    holder = Holder.objects.get(user__email=demo.DEMO_HOLDERS[0].email)
    _, access, _ = api_token_issue(user=holder.user, label="fuzz")
    provider = Provider.objects.get(siret="73282932000074")
    # A key acts as the member who created it (dossiers, disputes): without one it is refused there.
    member = ProviderMembership.objects.filter(provider=provider).order_by("pk").first()
    assert member is not None
    _, key = provider_api_key_create(provider=provider, name="fuzz", by=member.user)
    funder = rights_services.funder_create(name="OPCO Fuzz", kind="opco", reference="FUZZ1")
    return Credentials(access, key, rights_services.funder_api_key_issue(funder=funder))


def load_schema(base_url: str, who: Identity) -> Any:
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": who.schemes},
            "phases": {
                "stateful": {
                    # The links are the document's own, none inferred; chains go deeper with valid requests
                    # (the invalid ones are test_every_operation_honours_its_contract's).
                    "inference": {"algorithms": []},
                    "generation": {"mode": "positive"},
                }
            },
        }
    )
    return schemathesis.openapi.from_url(base_url + SCHEMA_PATH, config=config)


def _shared(operation: schemathesis.APIOperation) -> bool:
    return len(operation.definition.raw.get("security") or []) > 1


def _exercise(
    operation: schemathesis.APIOperation, mode: GenerationMode, stats: Counter[str], failures: list[str]
) -> None:
    """Up to EXAMPLES generated requests for one operation; each failed check is recorded in `failures`."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: schemathesis.Case) -> None:
        response = case.call(timeout=30)
        stats["requests"] += 1
        stats[f"{response.status_code // 100}xx"] += 1
        negated = case.operation.schema.is_security_param_negated(case)
        stats["credential left as generated"] += negated
        try:
            case.validate_response(response, checks=CHECKS)
            if operation.definition.raw.get("security") and not negated:
                assert response.status_code != 401, f"sent with a valid credential, answered 401: {response.text}"
        except (Exception, BaseExceptionGroup) as exc:
            sent = response.request.headers
            auth = "+".join(h for h in ("Authorization", "X-API-Key") if h in sent) or "no credential"
            failures.append(
                f"{case.method} {case.path} [{mode.value}, {auth}] -> {response.status_code}: {exc}\n"
                f"    {case.as_curl_command()}"[:1500]
            )
            raise

    before = len(failures)
    try:
        exercise()
    except Unsatisfiable:  # no invalid input exists for an operation without parameters
        return
    except (Exception, BaseExceptionGroup) as exc:  # checks' failures are recorded, reported by the test
        if len(failures) == before:  # anything else (generation, setup) is reported as is
            failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {exc!r}"[:900])


@pytest.mark.parametrize("who", ["holder", "provider"])
def test_every_operation_honours_its_contract(live_server: Any, credentials: Credentials, who: str) -> None:
    caller = identity(who, credentials)
    schema = load_schema(live_server.url, caller)
    only = os.environ.get("OPENCPF_FUZZ_ONLY", "")
    stats: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED or (only and only not in operation.path):
            continue
        if caller.shared_only and not _shared(operation):
            continue
        stats["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, stats, failures)
    print(f"\n{who}: {dict(stats)}")
    assert not failures, "\n".join(dict.fromkeys(failures))
    assert stats["5xx"] == 0
    assert stats["requests"] >= stats["operations"] * EXAMPLES
    assert stats["credential left as generated"] > 0  # negative cases on the credential did reach the server


def test_linked_operations_keep_their_promises(live_server: Any, credentials: Credentials) -> None:
    """Stateful: schemathesis's state machine chains operations through the document's OpenAPI links
    (`opencpf.api.openapi.LINKS`: list -> item -> action, creation -> item), e.g. the provider's offers list ->
    one offer -> a new session -> its split, or a holder's dossiers -> one dossier -> withdrawal. Every answer
    passes the same checks; at least some linked steps must succeed, else the links lead nowhere."""
    schema = load_schema(live_server.url, identity("holder", credentials)).exclude(
        method="POST", path="/api/v1/auth/revoke"
    )
    followed: Counter[str] = Counter()
    failures: list[str] = []

    class LiveMachine(schema.as_state_machine()):  # type: ignore[misc]
        def step(self, input: Any) -> Any:
            output = super().step(input)
            if input.transition is not None and input.is_applied:
                followed[f"{input.transition.id} -> {output.response.status_code}"] += 1
            return output

        def validate_response(self, response: Any, case: schemathesis.Case, *args: Any, **kwargs: Any) -> None:
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{case.method} {case.path} -> {response.status_code}: {exc}"[:1500])
                raise

    LiveMachine.run(
        settings=settings(
            max_examples=int(os.environ.get("OPENCPF_FUZZ_SCENARIOS", "60")),
            stateful_step_count=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"\nlinks followed: {dict(sorted(followed.items()))}")
    assert not failures, "\n".join(dict.fromkeys(failures))
    assert sum(n for label, n in followed.items() if label.endswith(("-> 200", "-> 201"))) >= 5, followed
