"""The clear NIR is nowhere: not in a full database dump, not in logs, emails, pages' URLs or exports."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client

from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder, User
from opencpf.web import demo
from tests.conftest import DEMO_PASSWORD, pass_agent_factor
from tests.identity.nir_guard import find_nirs, install, known_nirs


def test_guard_finds_spaced_and_compact_nirs_and_redaction_removes_them():
    from opencpf.core.logging import redact

    for nir in known_nirs():
        assert find_nirs(f"x {nir} y") and find_nirs(nir.replace(" ", ""))
        assert not find_nirs(redact(f"x {nir} y")) and not find_nirs(redact(nir.replace(" ", "")))
    assert install().records >= 0


@pytest.mark.django_db
def test_storage_is_hash_encrypted_and_masked(holder):
    assert holder.nir_hash == nir_lib.nir_hash("185057800608491") and len(holder.nir_hash) == 64
    assert nir_lib.decrypt(holder.nir_encrypted) == "185057800608491"
    assert "185057800608491" not in holder.nir_encrypted
    assert holder.nir_masked == "1 85 05 ** *** *** 91"
    assert "185057800608491" not in holder.user.username


@pytest.mark.django_db
def test_full_database_dump_logs_and_emails_hold_no_clear_nir(client, caplog, settings):
    settings.IDENTITY_SECOND_FACTOR = "email"
    caplog.set_level(logging.DEBUG)
    demo.load()
    camille = demo.DEMO_HOLDERS[0]
    # Activation (new, duplicate, invalid), logins (good, bad, unknown), reset, API, agent read, RGPD export.
    form = {
        "nir": "1 85 05 78 006 084 91",
        "birth_name": "Martin",
        "first_names": "Paul",
        "birth_date": "14/05/1985",
        "sex": "M",
        "email": "paul@example.org",
        "phone": "0612345678",
        "password": "Un-mot-de-passe-solide-2026",
        "password2": "Un-mot-de-passe-solide-2026",
    }
    client.post("/activer/", form)
    client.post("/activer/", {**form, "email": "autre@example.org"})
    client.post("/activer/", {**form, "nir": "1 85 05 78 006 084 92"})
    client.post("/activer/", {**form, "nir": camille.nir})
    attacker = Client(REMOTE_ADDR="127.0.0.9")  # failures from another address: no lockout of the tests' own
    for password in ("mauvais", "mauvais-encore"):
        attacker.post("/connexion/", {"username": camille.nir, "password": password})
    attacker.post("/connexion/", {"username": "2 90 12 69 123 456 52", "password": "inconnu"})
    attacker.post("/connexion/", {"username": "1 85 05 78 006 084 92", "password": "invalide"})
    client.post("/mot-de-passe-oublie/", {"nir": camille.nir.replace(" ", "")})
    attacker.post("/api/v1/auth/token", {"nir": camille.nir, "password": "faux"}, content_type="application/json")
    token = client.post(
        "/api/v1/auth/token", {"nir": camille.nir, "password": demo.DEMO_PASSWORD}, content_type="application/json"
    ).json()["access_token"]
    client.get("/api/v1/me/donnees-personnelles", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/connexion/", {"username": camille.nir, "password": demo.DEMO_PASSWORD}).status_code == 302
    export = client.get("/mon-compte/donnees-personnelles/").content.decode()
    client.post("/mon-compte/securite/verification/", {"send": "1"})
    client.get("/mon-compte/securite/")
    agent = Client()
    agent.post("/gestion/connexion/", {"username": demo.DEMO_AGENTS[1][0], "password": demo.DEMO_PASSWORD})
    pass_agent_factor(agent, User.objects.get(email=demo.DEMO_AGENTS[1][0]))
    holder = Holder.objects.get(birth_name="Lefèvre")
    agent.post(f"/gestion/titulaires/{holder.pk}/", {"reason": "Contrôle de la démonstration"})
    assert Holder.objects.count() == 3  # the two demo holders and Paul

    # The full database dump (every table of every app), with session payloads decoded.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump, format="json")
    text = dump.getvalue()
    assert '"model": "axes.accessattempt"' in text and '"model": "core.auditevent"' in text
    sessions = "\n".join(json.dumps(s.get_decoded(), default=str) for s in Session.objects.all())
    emails = "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)
    records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert len(mail.outbox) >= 3 and len(caplog.records) > 10
    assert find_nirs(text) == [], "clear NIR in the database dump"
    assert find_nirs(sessions) == [], "clear NIR in a session"
    assert find_nirs(emails) == [], "clear NIR in an email"
    assert find_nirs(records) == [], "clear NIR in a raw log record"
    assert find_nirs(export) == [] and "2 88 03 ** *** *** 53" in export
    # Nothing of the pages' URLs either (redirects and links).
    assert DEMO_PASSWORD not in text
