"""A database that is unreachable gives a clear 503 (French page, or problem+json for programs), never a trace."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
c = Client(raise_request_exception=False)
out = {}
r = c.get("/api/v1/health")
out["api"] = [r.status_code, r.headers.get("Content-Type"), r.json().get("code"), r.headers.get("Retry-After")]
r = c.post("/connexion/", {"username": "1 85 05 78 006 084 91", "password": "x"})
out["login"] = [r.status_code, "Service momentanément indisponible" in r.content.decode(), "Traceback" in r.content.decode()]
r = c.get("/recherche/", {"q": "anglais"})
out["search"] = [r.status_code, "Rien n'a été enregistré" in r.content.decode().replace("&#x27;", "'")]
print(json.dumps(out))
"""


def test_unreachable_database_gives_a_clear_503():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # Nothing listens on port 1 of the loopback: every connection is refused at once.
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/opencpf",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["api"] == [503, "application/problem+json", "service_unavailable", "30"]
    assert out["login"] == [503, True, False]
    assert out["search"] == [503, True]
