"""The access matrix: every URL pattern and every API operation, for every kind of caller.

Routes are found by walking Django's URL resolver and the NinjaAPI's operations, so routes other domains add
later are covered by the default rule of their prefix:
  /mon-compte/  holders only      anonymous -> 302 to /connexion/, providers' staff and agents -> 403
  /organisme/   providers' staff  anonymous -> 302 to /organisme/connexion/, holders and agents -> 403
  /gestion/     agents only       anonymous -> 302 to /gestion/connexion/, holders and providers -> 403;
                                  agents -> allowed or 403 by role (ROLE_RULES pins known routes)
  /api/v1/      by the operation's auth (none: public; holder token; any token; provider key)
  /django-admin/ staff only (no principal here is staff) -> 302 to the admin login
  anything else must be listed in PUBLIC (a new public page is a decision: add it there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from opencpf.api.auth import HolderTokenAuth, ProviderKeyAuth, UserTokenAuth
from opencpf.identity import roles
from opencpf.identity.tokens import api_token_issue, provider_api_key_create
from tests.conftest import login_agent
from tests.identity.conftest import make_agent, make_provider

BACKEND = "django.contrib.auth.backends.ModelBackend"

# Public pages (by URL name): reachable by anyone, never a 5xx, never a login redirect.
PUBLIC = {
    "holder:home",
    "holder:login",
    "holder:logout",
    "holder:accessibility",
    "holder:legal",
    "holder:api_docs",
    "holder:activate",
    "holder:email_confirm",
    "holder:password_reset",
    "holder:password_reset_confirm",
    "holder:franceconnect_login",
    "holder:franceconnect_callback",
    "provider:login",
    "provider:logout",
    "provider:invitation",
    "provider:referencing_apply",
    "backoffice:invitation",
    "backoffice:login",
    "backoffice:logout",
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "admin:login",
    "holder:help",
    "holder:report",
    "holder:search",
    "holder:search_ranking",
    "holder:search_suggestions",
    "holder:offer",
    "manifest",
    "service_worker",
    "offline",
    "holder:offer_ratings",
    "holder:provider_ratings",
}
# Back-office routes whose answer depends on the role: URL name -> roles allowed (others get 403).
ROLE_RULES: dict[str, set[str]] = {
    "backoffice:holder_detail": {
        roles.SUPPORT,
        roles.CASE_MANAGER,
        roles.CONTROLLER,
        roles.FRAUD_ANALYST,
        roles.ADMINISTRATOR,
    },
    "backoffice:parameters": set(roles.ROLE_PERMISSIONS),
    **dict.fromkeys(
        ("backoffice:support_queue", "backoffice:support_ticket"),
        {roles.SUPPORT, roles.CASE_MANAGER, roles.PAYMENT_OFFICER, roles.ADMINISTRATOR},
    ),
    **dict.fromkeys(
        ("backoffice:support_reports", "backoffice:support_report"),
        {roles.SUPPORT, roles.CASE_MANAGER, roles.CONTROLLER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    ),
    **dict.fromkeys(
        ("backoffice:trust_alerts", "backoffice:trust_alert"),
        {roles.CASE_MANAGER, roles.CONTROLLER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    ),
    "backoffice:trust_alert_act": {roles.CONTROLLER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    **dict.fromkeys(
        ("backoffice:trust_controls", "backoffice:trust_control", "backoffice:trust_control_proof"),
        {roles.CASE_MANAGER, roles.CONTROLLER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    ),
    "backoffice:trust_control_new": {roles.CONTROLLER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    "backoffice:agents": {roles.ADMINISTRATOR},
    **dict.fromkeys(
        ("backoffice:rights_dif_list", "backoffice:rights_dif_detail", "backoffice:rights_dif_proof"),
        {roles.SUPPORT, roles.CONTROLLER, roles.CASE_MANAGER, roles.ADMINISTRATOR},
    ),
    **dict.fromkeys(
        ("backoffice:rights_dif_decide", "backoffice:rights_topup"), {roles.CASE_MANAGER, roles.ADMINISTRATOR}
    ),
    "backoffice:agent_deactivate": {roles.ADMINISTRATOR},
    **dict.fromkeys(
        (
            "backoffice:bank_changes",
            "backoffice:bank_change_decide",
            "backoffice:payment_run_launch",
            "backoffice:payment_run_file",
            "backoffice:payment_run_sent",
            "backoffice:payment_run_confirm",
        ),
        {roles.PAYMENT_OFFICER, roles.ADMINISTRATOR},
    ),
    **dict.fromkeys(
        ("backoffice:payment_runs", "backoffice:payment_run_detail"),
        {roles.PAYMENT_OFFICER, roles.CONTROLLER, roles.ADMINISTRATOR},
    ),
    **dict.fromkeys(
        ("backoffice:reviews_queue", "backoffice:reviews_moderate"),
        {roles.SUPPORT, roles.CASE_MANAGER, roles.ADMINISTRATOR},
    ),
    "backoffice:dossier_validate": {roles.CASE_MANAGER, roles.CONTROLLER, roles.ADMINISTRATOR},
    # issue 9: console, adjustments, disputes, dashboards
    "backoffice:console_search": {
        roles.SUPPORT,
        roles.CASE_MANAGER,
        roles.CONTROLLER,
        roles.FRAUD_ANALYST,
        roles.ADMINISTRATOR,
    },
    "backoffice:console_holder": set(roles.ROLE_PERMISSIONS),
    "backoffice:console_provider": {
        roles.CASE_MANAGER,
        roles.CONTROLLER,
        roles.PAYMENT_OFFICER,
        roles.FRAUD_ANALYST,
        roles.ADMINISTRATOR,
    },
    "backoffice:adjustment_propose": {roles.SUPPORT, roles.CASE_MANAGER, roles.ADMINISTRATOR},
    "backoffice:adjustments": {
        roles.SUPPORT,
        roles.CASE_MANAGER,
        roles.CONTROLLER,
        roles.FRAUD_ANALYST,
        roles.ADMINISTRATOR,
    },
    "backoffice:adjustment_decide": {roles.CASE_MANAGER, roles.ADMINISTRATOR},
    **dict.fromkeys(
        ("backoffice:disputes", "backoffice:dispute", "backoffice:dispute_attachment"), set(roles.ROLE_PERMISSIONS)
    ),
    **dict.fromkeys(
        ("backoffice:dashboard", "backoffice:dashboard_csv"),
        {roles.CASE_MANAGER, roles.CONTROLLER, roles.PAYMENT_OFFICER, roles.FRAUD_ANALYST, roles.ADMINISTRATOR},
    ),
}
AGENT_ROLES = list(roles.ROLE_PERMISSIONS)
HOLDERS = ("holder", "other_holder")
PROVIDERS = ("provider_a", "provider_b")
AGENTS = tuple(f"agent_{r}" for r in AGENT_ROLES)
PRINCIPALS = ("anonymous", *HOLDERS, *PROVIDERS, *AGENTS)


@dataclass
class Route:
    path: str
    name: str
    kind: str  # web or api
    methods: list[str] = field(default_factory=lambda: ["GET"])
    auth: list[Any] = field(default_factory=list)


def _sample(pattern: str, ids: dict[str, str]) -> str:
    """A concrete path for a route pattern (path converters or simple regexes)."""

    def conv(m: re.Match) -> str:
        kind, name = (m.group(1) or "str"), m.group(2)
        return ids.get(name, "999999" if kind == "int" else "x")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", conv, pattern)

    def group(m: re.Match) -> str:
        body = m.group(2)
        if re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]
        return "1"

    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\?", "", path)
    return path


def _pathview(func: Any) -> Any:
    for cell in getattr(func, "__closure__", None) or ():
        if type(cell.cell_contents).__name__ == "PathView":
            return cell.cell_contents
    return None


def routes(ids: dict[str, str]) -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                raw = prefix + str(p.pattern)
                path = "/" + _sample(raw, ids)
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or raw)
                view = _pathview(p.callback)
                if view is not None:
                    for op in view.operations:
                        found.append(Route(path, name, "api", list(op.methods), list(op.auth_callbacks)))
                else:
                    found.append(Route(path, name, "web"))

    walk(get_resolver().url_patterns, "", "")
    return found


def expected(route: Route, who: str) -> str:
    """'ok' (access granted: any status but 401/403/login redirect/5xx), 'login', '403', '401', 'admin'."""
    if route.kind == "api":
        auths = route.auth
        if not auths:
            return "ok"
        accepted = set()
        for auth in auths:
            if isinstance(auth, HolderTokenAuth):
                accepted |= set(HOLDERS)
            elif isinstance(auth, UserTokenAuth):
                accepted |= set(HOLDERS) | set(PROVIDERS) | set(AGENTS)
            elif isinstance(auth, ProviderKeyAuth):
                accepted |= set(PROVIDERS)
            # Another credential (e.g. a funder's key): none of the principals here holds one.
        return "ok" if who in accepted else "401"
    path, name = route.path, route.name
    if name in PUBLIC:
        return "ok"
    if path.startswith("/django-admin/"):
        return "admin"
    if path.startswith("/mon-compte/"):
        return "login" if who == "anonymous" else ("ok" if who in HOLDERS else "403")
    if path.startswith("/organisme/"):
        return "login" if who == "anonymous" else ("ok" if who in PROVIDERS else "403")
    if path.startswith("/gestion/"):
        if who == "anonymous":
            return "login"
        if who not in AGENTS:
            return "403"
        allowed = ROLE_RULES.get(name)
        if allowed is None:
            return "ok-or-403"
        return "ok" if who.removeprefix("agent_") in allowed else "403"
    return "unclassified"


LOGIN = {"/mon-compte/": "/connexion/", "/organisme/": "/organisme/connexion/", "/gestion/": "/gestion/connexion/"}


def verdict(response: Any, route: Route, kind: str) -> bool:
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return False
    if kind == "ok":
        redirected_to_login = status == 302 and "connexion/?next=" in location
        if route.kind == "api" and status == 403:
            # A domain refusal (e.g. strong_auth_required) is an answer of the route, not an access refusal.
            return response.json().get("code") != "forbidden"
        return status not in (401, 403) and not redirected_to_login
    if kind == "ok-or-403":
        return status not in (401,) and not (status == 302 and "connexion/?next=" in location)
    if kind == "login":
        prefix = next(p for p in LOGIN if route.path.startswith(p))
        return status == 302 and location.startswith(LOGIN[prefix] + "?next=")
    if kind == "403":
        return status == 403
    if kind == "401":
        return status == 401
    if kind == "admin":
        return (status == 302 and "/django-admin/login/" in location) or status in (404, 405)
    return False


@pytest.fixture
def world(db, holder, other_holder):  # type: ignore[no-untyped-def]
    provider_a, admin_a = make_provider("Organisme A", "73282932000074", "admin@a.example.org")
    provider_b, admin_b = make_provider("Organisme B", "35600000000048", "admin@b.example.org")
    users = {
        "holder": holder.user,
        "other_holder": other_holder.user,
        "provider_a": admin_a,
        "provider_b": admin_b,
        **{f"agent_{r}": make_agent(r) for r in AGENT_ROLES},
    }
    keys = {"provider_a": provider_a, "provider_b": provider_b}
    # Object ids that belong to somebody else than the caller (by URL argument name): the other holder's
    # records, provider B's records, so that an allowed caller still gets 404 for an object not theirs.
    b_key, _ = provider_api_key_create(provider=provider_b, name="B", by=None)
    ids = {
        "holder_id": str(other_holder.pk),
        "membership_id": str(admin_b.provider_memberships.get().pk),
        "key_id": str(b_key.pk),
    }
    return users, keys, ids


def call(route: Route, who: str, users: dict, keys: dict, method: str = "get") -> Any:
    client = Client()
    headers: dict[str, str] = {}
    if route.kind == "web":
        if who != "anonymous":
            login_agent(client, users[who], backend=BACKEND)  # agents: password and second factor
        return getattr(client, method)(route.path)
    if who in PROVIDERS:
        _, secret = provider_api_key_create(provider=keys[who], name="matrice", by=None)
        headers["HTTP_X_API_KEY"] = secret
    elif who != "anonymous":
        _, access, _ = api_token_issue(user=users[who])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {access}"
    method = route.methods[0].lower()
    if method == "get":
        return client.get(route.path, **headers)
    return getattr(client, method)(route.path, data="{}", content_type="application/json", **headers)


@pytest.mark.django_db
def test_every_route_answers_as_expected_for_every_caller(world):
    users, keys, ids = world
    all_routes = routes(ids)
    assert any(r.kind == "api" for r in all_routes) and any(r.path.startswith("/mon-compte/") for r in all_routes)
    unclassified = sorted({r.name for r in all_routes if expected(r, "anonymous") == "unclassified"})
    assert not unclassified, f"Routes outside the known prefixes: classify them in PUBLIC: {unclassified}"
    failures = []
    checked = 0
    for route in all_routes:
        # The admin site protects all its pages the same way: its index and a model list per app suffice.
        if (
            route.path.startswith("/django-admin/")
            and route.name not in ("admin:index", "admin:login")
            and not re.search(r"/django-admin/(identity|catalogue|core)/\w+/$", route.path)
        ):
            continue
        for who in PRINCIPALS:
            kind = expected(route, who)
            response = call(route, who, users, keys)
            checked += 1
            if not verdict(response, route, kind):
                failures.append(f"{route.path} [{route.name}] {who}: expected {kind}, got {response.status_code}")
            if route.kind == "web" and kind in ("login", "403"):
                # Refused callers are refused whatever the method (a POST-only view too), and nothing runs.
                response = call(route, who, users, keys, method="post")
                checked += 1
                if not verdict(response, route, kind):
                    failures.append(
                        f"POST {route.path} [{route.name}] {who}: expected {kind}, got {response.status_code}"
                    )
    assert not failures, "\n".join(failures)
    assert checked > 100


@pytest.mark.django_db
def test_object_level_checks(world, client):
    """Allowed callers asking for somebody else's object by id get 404, never the object."""
    users, keys, ids = world
    # Provider A's administrator removing provider B's member.
    client.force_login(users["provider_a"], backend=BACKEND)
    assert client.post(f"/organisme/membres/{ids['membership_id']}/retirer/").status_code == 404
    # A holder revoking another holder's session: refused, nothing changes.
    from opencpf.identity.models import UserSession

    other = Client()
    other.force_login(users["other_holder"], backend=BACKEND)
    row = UserSession.objects.get(user=users["other_holder"])
    mine = Client()
    mine.force_login(users["holder"], backend=BACKEND)
    mine.post(f"/mon-compte/securite/sessions/{row.pk}/fermer/")
    assert UserSession.objects.filter(pk=row.pk).exists() and other.get("/mon-compte/").status_code == 200
    # The personal-data download is always the caller's own.
    body = mine.get("/mon-compte/donnees-personnelles/").json()
    assert body["identite"]["nom_de_naissance"] == "Martin"


# The step-up pages, pinned by name: the walk covers them by prefix; this catches a moved or renamed route.
PINNED = {
    "provider:step_up": "/organisme/securite/verification/",
    "holder:step_up": "/mon-compte/securite/verification/",
}


@pytest.mark.parametrize(("name", "path"), sorted(PINNED.items()))
def test_step_up_pages_are_walked_and_reserved_to_their_portal(name, path):
    route = next(r for r in routes({}) if r.name == name)
    assert route.path == path
    portal = "provider_a" if name.startswith("provider:") else "holder"
    assert expected(route, "anonymous") == "login" and expected(route, portal) == "ok"
    assert expected(route, "agent_" + roles.ADMINISTRATOR) == "403"
