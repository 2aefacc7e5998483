"""Security headers and cookies with the production settings, and gunicorn not telling its version."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
    "NIR_HASH_KEY": "test-nir-hash-key",
    "NIR_ENCRYPTION_KEY": "test-nir-key",
    "SEARCH_ORDER_SECRET": "test-search-secret",
    "ALLOWED_HOSTS": "opencpf.example",
}
# What production changes about the answers' headers and cookies (not its cache, mail or jobs).
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CONTENT_SECURITY_POLICY",
]


@pytest.fixture
def prod(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in PROD_ENV.items():
        monkeypatch.setenv(name, value)
    module = importlib.reload(importlib.import_module("config.settings.prod"))
    for name in SECURITY_SETTINGS:
        setattr(settings, name, getattr(module, name))
    settings.ALLOWED_HOSTS = ["opencpf.example"]  # read from the environment when base settings were loaded
    return module


def _https_client() -> Client:
    return Client(HTTP_HOST="opencpf.example", HTTP_X_FORWARDED_PROTO="https")


@pytest.mark.django_db
def test_production_pages_send_the_security_headers(prod: Any) -> None:
    response = _https_client().get("/connexion/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https(prod: Any) -> None:
    response = Client(HTTP_HOST="opencpf.example").get("/connexion/")
    assert response.status_code == 301 and response["Location"].startswith("https://opencpf.example/")


@pytest.mark.django_db
def test_production_cookies_are_secure_httponly_samesite(prod: Any, holder: Any) -> None:
    client = _https_client()
    page = client.get("/connexion/")
    csrf = page.cookies[prod.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    login = client.post(
        "/connexion/",
        {"username": "1 85 05 78 006 084 91", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf.value},
    )
    assert login.status_code == 302
    session = login.cookies[prod.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]  # what a __Host- cookie requires


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_does_not_tell_its_version(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=10) as r:
                    headers = r.headers
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert not any(ch.isdigit() for ch in headers.get("Server", "")), headers.get("Server")
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
