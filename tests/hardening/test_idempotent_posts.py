"""Every POST of the API that creates or moves something, replayed with the same `Idempotency-Key`: the same
answer, nothing done twice; the same key with another body: refused (422) and nothing done.

The POST routes are read from the API object itself: a new POST without a scenario here (or a written reason
in NOT_REPLAYABLE) makes `test_every_post_route_has_a_replay_scenario` fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from config.api import api
from opencpf.catalogue.lheo.writer import trainings_for_export, write_lheo
from opencpf.catalogue.models import Training
from opencpf.core import clock
from opencpf.enrolment import services as enrolment
from opencpf.identity.models import ApiToken, ProviderMembership, ProviderRole, UserKind
from opencpf.identity.services import staff_user_create
from opencpf.identity.tokens import api_token_issue, provider_api_key_create
from opencpf.rights import services as rights_services
from tests.catalogue.conftest import (
    make_certification,
    make_offer,
    make_provider,
    offer_fields,
    permit,
    training_fields,
)
from tests.conftest import login_agent
from tests.enrolment.conftest import credit, make_session, make_strong

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
# POSTs that neither create nor move anything a replay could double, with the reason.
NOT_REPLAYABLE = {
    "/auth/token": "issues a secret token pair: answered with Cache-Control no-store, never stored nor replayed",
    "/auth/refresh": "issues a secret token pair: answered with Cache-Control no-store, never stored nor replayed",
    "/me/achat/verification": "a check: reads, creates and moves nothing",
}
# Rows a replay may legitimately touch: none of the domain's.
IGNORED_TABLES = {"django_session"}


def post_routes() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(path.removeprefix(PREFIX) for path, item in schema["paths"].items() if "post" in item)


@dataclass
class World:
    holder: Any
    holder_client: Client
    staff: Any
    staff_client: Client
    provider: Any
    provider_key: str
    cert: Any
    session: Any
    bearer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def dossier(self, state: str = "requested") -> Any:
        dossier = enrolment.dossier_request(actor=self.holder.user, session_id=self.session.pk)
        if state in ("validated", "accepted", "entered"):
            dossier = enrolment.dossier_propose(dossier_id=dossier.pk, actor=self.staff)
        if state in ("accepted", "entered"):
            dossier = enrolment.dossier_accept(dossier_id=dossier.pk, actor=self.holder.user, strong_session=True)
        return dossier


@dataclass
class Call:
    path: str
    body: Any
    other_body: Any
    headers: dict[str, str] = field(default_factory=dict)
    client: Client | None = None
    raw: bool = False  # body sent as bytes (XML), not JSON
    multipart: bool = False  # body sent as a form (multipart), as browsers and the disputes API do


def _provider_headers(w: World) -> dict[str, str]:
    return {"HTTP_X_API_KEY": w.provider_key}


def _bearer(w: World) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {w.bearer}"}


def _create_payload(ref: str) -> dict[str, Any]:
    return {
        "certification_code": "RNCP35185",
        "training_reference": "F9",
        "offer_reference": ref,
        "training": training_fields(),
        "offer": {k: v for k, v in offer_fields().items() if k not in ("latitude", "longitude")},
        "publish": True,
    }


def _lheo(w: World) -> Call:
    offer = make_offer(w.provider, w.cert, ref="L1", training_ref="FL1", publish=False)
    w.extra["lheo_offer"] = offer
    from opencpf.catalogue.services import session_create

    session_create(
        offer=offer,
        actor=None,
        source="test",
        reference="SL1",
        start_date=dt.date(2026, 5, 4),
        end_date=dt.date(2026, 5, 8),
    )
    import io

    buf = io.BytesIO()
    write_lheo(buf, trainings_for_export(Training.objects.filter(pk=offer.training_id)))
    xml = buf.getvalue().replace(b"SL1", b"SL2")  # a new session to create
    return Call("/catalogue/lheo", xml, xml.replace(b"SL2", b"SL3"), _provider_headers(w), raw=True)


def _step_up(w: World) -> Call:
    with w.extra["on_commit"](execute=True):
        w.holder_client.post(f"{PREFIX}/auth/code", **_bearer(w))
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    return Call("/auth/renforcer", {"code": code}, {"code": "000000"}, _bearer(w))


SCENARIOS: dict[str, Callable[[World], Call]] = {
    "/auth/revoke": lambda w: Call("/auth/revoke", {}, {"autre": 1}, _bearer(w)),
    "/auth/code": lambda w: Call("/auth/code", {}, {"autre": 1}, _bearer(w)),
    "/auth/renforcer": _step_up,
    "/rights/topups": lambda w: Call(
        "/rights/topups",
        {"nir": "185057800608491", "nom_naissance": "Martin", "montant_centimes": 50_000},
        {"nir": "185057800608491", "nom_naissance": "Martin", "montant_centimes": 60_000},
        {"HTTP_X_API_KEY": w.extra["funder_key"]},
    ),
    "/catalogue/offers": lambda w: Call(
        "/catalogue/offers", _create_payload("A8"), _create_payload("A9"), _provider_headers(w)
    ),
    "/catalogue/offers/{offer_id}/publish": lambda w: Call(
        f"/catalogue/offers/{make_offer(w.provider, w.cert, ref='P1', publish=False).pk}/publish",
        {},
        {"autre": 1},
        _provider_headers(w),
    ),
    "/catalogue/offers/{offer_id}/unpublish": lambda w: Call(
        f"/catalogue/offers/{make_offer(w.provider, w.cert, ref='U1').pk}/unpublish",
        {},
        {"autre": 1},
        _provider_headers(w),
    ),
    "/catalogue/offers/{offer_id}/duplicate": lambda w: Call(
        f"/catalogue/offers/{make_offer(w.provider, w.cert, ref='D1').pk}/duplicate",
        {},
        {"autre": 1},
        _provider_headers(w),
    ),
    "/catalogue/offers/{offer_id}/sessions": lambda w: Call(
        f"/catalogue/offers/{make_offer(w.provider, w.cert, ref='S1').pk}/sessions",
        {"reference": "S-A", "start_date": "2026-05-04", "end_date": "2026-05-08"},
        {"reference": "S-B", "start_date": "2026-05-04", "end_date": "2026-05-08"},
        _provider_headers(w),
    ),
    "/catalogue/sessions/{session_id}/duplicate": lambda w: Call(
        f"/catalogue/sessions/{w.session.pk}/duplicate",
        {"start_date": "2026-06-01"},
        {"start_date": "2026-06-08"},
        {"HTTP_X_API_KEY": w.extra["session_provider_key"]},
    ),
    "/catalogue/lheo": _lheo,
    "/dossiers": lambda w: Call(
        "/dossiers",
        {"session_id": w.session.pk},
        {"session_id": w.session.pk, "message": "Bonjour"},
        client=w.holder_client,
    ),
    "/dossiers/{number}/retrait": lambda w: Call(
        f"/dossiers/{w.dossier().number}/retrait",
        {"reason": "Projet changé"},
        {"reason": "Autre motif"},
        client=w.holder_client,
    ),
    "/dossiers/{number}/acceptation": lambda w: Call(
        f"/dossiers/{w.dossier('validated').number}/acceptation", {}, {"autre": 1}, client=w.holder_client
    ),
    "/dossiers/{number}/declin": lambda w: Call(
        f"/dossiers/{w.dossier('validated').number}/declin",
        {"reason": "Trop cher"},
        {"reason": "Autre motif"},
        client=w.holder_client,
    ),
    "/dossiers/{number}/annulation": lambda w: Call(
        f"/dossiers/{w.dossier('accepted').number}/annulation",
        {"reason": "Projet changé"},
        {"reason": "Autre motif"},
        client=w.holder_client,
    ),
    "/dossiers/{number}/proposition": lambda w: Call(
        f"/dossiers/{w.dossier().number}/proposition",
        {"price_cents": 140_000},
        {"price_cents": 130_000},
        client=w.staff_client,
    ),
    "/dossiers/{number}/refus": lambda w: Call(
        f"/dossiers/{w.dossier().number}/refus",
        {"reason": "Session complète"},
        {"reason": "Autre"},
        client=w.staff_client,
    ),
    "/dossiers/{number}/entree": lambda w: _entry(w),
    "/dossiers/{number}/sortie": lambda w: _exit(w),
    "/dossiers/{number}/evaluation": lambda w: _rating(w),
    "/dossiers/{number}/validation-service-fait": lambda w: _agent_validation(w),
    "/disputes": lambda w: _dispute_open(w),
    "/disputes/{reference}/messages": lambda w: _dispute_message(w),
    "/provider/controls/{reference}/answer": lambda w: _control_answer(w),
    "/reports": lambda w: Call(
        "/reports",
        {"kind": "cold_calling", "description": "Un démarchage par téléphone pour mon CPF.", "provider_siret": ""},
        {"kind": "scam", "description": "Un autre signalement.", "provider_siret": ""},
    ),
}


def _entered(w: World) -> Any:
    dossier = w.dossier("accepted")
    clock.freeze(dt.datetime.combine(w.session.start_date, dt.time(9, 0)))
    return enrolment.dossier_declare_entry(dossier_id=dossier.pk, actor=w.staff)


def _exited(w: World) -> Any:
    dossier = _entered(w)
    clock.freeze(dt.datetime.combine(w.session.end_date, dt.time(18, 0)))
    return enrolment.dossier_declare_exit(
        dossier_id=dossier.pk, actor=w.staff, exit_date=w.session.end_date, completion_rate_bp=10_000
    )


def _exit(w: World) -> Call:
    dossier = _entered(w)
    clock.freeze(dt.datetime.combine(w.session.end_date, dt.time(18, 0)))
    day = w.session.end_date.isoformat()
    return Call(
        f"/dossiers/{dossier.number}/sortie",
        {"exit_date": day, "completion_rate_bp": 10_000},
        {"exit_date": day, "completion_rate_bp": 5_000, "reason": "abandonment"},
        client=w.staff_client,
    )


SCORES = dict.fromkeys(("accompagnement", "moyens", "encadrants", "accueil", "contenu"), 4)


def _rating(w: World) -> Call:
    number = _exited(w).number
    _, access, _ = api_token_issue(user=w.holder.user, label="après la formation")  # the first one has expired
    headers = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    return Call(f"/dossiers/{number}/evaluation", SCORES, {**SCORES, "contenu": 2}, headers)


def _agent_validation(w: World) -> Call:
    from django.contrib.auth.models import Group

    number = _exited(w).number
    agent = staff_user_create(email="gestion@operateur.fr", password=None, kind=UserKind.AGENT)
    agent.groups.add(Group.objects.get(name="case_manager"))
    client = Client()
    login_agent(client, agent)
    return Call(f"/dossiers/{number}/validation-service-fait", {}, {"autre": 1}, client=client)


def _dispute_open(w: World) -> Call:
    number = _entered(w).number
    body = {"dossier": number, "reason": "quality", "message": "Le contenu ne correspond pas au programme."}
    return Call("/disputes", body, {**body, "message": "Un autre message."}, client=w.holder_client)


def _dispute_message(w: World) -> Call:
    from opencpf.support import disputes

    dossier = _entered(w)
    with w.extra["on_commit"](execute=True):
        dispute = disputes.dispute_open(
            actor=w.holder.user, dossier_number=dossier.number, reason="quality", body="Le contenu ne correspond pas."
        )
    return Call(
        f"/disputes/{dispute.reference}/messages",
        {"message": "Voici le programme annoncé."},
        {"message": "Un autre message."},
        client=w.holder_client,
        multipart=True,
    )


def _control_answer(w: World) -> Call:
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opencpf.trust.controls import control_open

    controller = staff_user_create(email="controle@operateur.fr", password=None, kind=UserKind.AGENT)
    controller.groups.add(Group.objects.get(name="controller"))
    controller = type(controller).objects.get(pk=controller.pk)
    control = control_open(
        provider_id=w.provider.pk, agent=controller, reason="Vérification", proofs_requested="Émargements"
    )
    proof = SimpleUploadedFile("emargement.pdf", b"%PDF-1.4\n%feuille d'emargement\n")
    return Call(
        f"/provider/controls/{control.reference}/answer",
        {"answer": "Voici les feuilles.", "kind": "attendance", "proofs": proof},
        {"answer": "Une autre réponse.", "kind": "attendance"},
        _provider_headers(w),
        multipart=True,
    )


def _entry(w: World) -> Call:
    number = w.dossier("accepted").number
    clock.freeze(dt.datetime.combine(w.session.start_date, dt.time(9, 0)))
    return Call(f"/dossiers/{number}/entree", {}, {"autre": 1}, client=w.staff_client)


def snapshot() -> dict[str, str]:
    """A digest of every row of every table (except sessions), and of the mails sent."""
    state: dict[str, str] = {"mails": str(len(mail.outbox))}
    for model in apps.get_models():
        if model._meta.db_table in IGNORED_TABLES or model._meta.proxy:
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        state[model._meta.db_table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


@pytest.fixture
def world(holder: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> World:
    settings.IDENTITY_SECOND_FACTOR = "email"
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    holder.user.email_confirmed_at = clock.now()
    holder.user.save(update_fields=["email_confirmed_at"])
    credit(holder, 100_000)
    provider = make_provider()
    cert = make_certification()
    permit(provider, cert)
    staff = staff_user_create(email="of@example.org", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=staff, provider=provider, role=ProviderRole.ADMINISTRATOR)
    _, key = provider_api_key_create(provider=provider, name="ERP", by=staff)
    session = make_session(provider, start=dt.date(2026, 4, 15))
    holder_client, staff_client = Client(), Client()
    holder_client.force_login(holder.user)
    make_strong(holder_client)
    staff_client.force_login(staff)
    _, access, _ = api_token_issue(user=holder.user, label="test")
    funder = rights_services.funder_create(name="OPCO Test", kind="opco", reference="OPCO1")
    funder.api_key_hash = rights_services.api_key_hash("funder-secret-key")
    funder.save(update_fields=["api_key_hash"])
    w = World(holder, holder_client, staff, staff_client, provider, key, cert, session, bearer=access)
    w.extra["funder_key"] = "funder-secret-key"
    w.extra["on_commit"] = django_capture_on_commit_callbacks  # what a commit triggers (mails) runs in these tests
    w.extra["session_provider_key"] = key
    return w


def _send(w: World, call: Call, body: Any, key: str) -> Any:
    client = call.client or Client()
    with w.extra["on_commit"](execute=True):
        if call.multipart:
            for value in body.values():  # a file is read by each send: the replay sends the same bytes
                if hasattr(value, "seek"):
                    value.seek(0)
            return client.post(PREFIX + call.path, data=body, HTTP_IDEMPOTENCY_KEY=key, **call.headers)
        data = body if call.raw else json.dumps(body)
        content_type = "application/xml" if call.raw else "application/json"
        return client.post(
            PREFIX + call.path, data=data, content_type=content_type, HTTP_IDEMPOTENCY_KEY=key, **call.headers
        )


def test_every_post_route_has_a_replay_scenario() -> None:
    routes = post_routes()
    assert routes, "no POST route found in the API"
    missing = [r for r in routes if r not in SCENARIOS and r not in NOT_REPLAYABLE]
    assert not missing, f"POST routes without a replay scenario in {__file__}: {missing}"
    assert not (set(SCENARIOS) - set(routes)), "scenarios for routes that no longer exist"


@pytest.mark.parametrize("route", sorted(SCENARIOS))
def test_replay_with_the_same_key_does_nothing_twice(world: World, route: str) -> None:
    call = SCENARIOS[route](world)
    first = _send(world, call, call.body, "cle-1")
    assert first.status_code < 300, (route, first.status_code, first.content[:500])
    after_first = snapshot()

    again = _send(world, call, call.body, "cle-1")
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert snapshot() == after_first, "the replay changed something"

    refused = _send(world, call, call.other_body, "cle-1")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "idempotency_key_reused"
    assert snapshot() == after_first, "the refused request changed something"


def test_the_secret_issuing_posts_are_never_stored(world: World) -> None:
    client = Client()
    body = {"nir": "185057800608491", "password": "MotDePasse-Demo-2026"}
    first = client.post(
        f"{PREFIX}/auth/token", data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="t-1"
    )
    again = client.post(
        f"{PREFIX}/auth/token", data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="t-1"
    )
    assert first.status_code == again.status_code == 200
    assert first["Cache-Control"] == "no-store" and "Idempotent-Replayed" not in again
    assert first.json()["access_token"] != again.json()["access_token"]
    assert ApiToken.objects.filter(user=world.holder.user).count() == 3  # the world's, then one per call
