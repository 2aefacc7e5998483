"""Configuration comes from the environment; production refuses to start without its secrets."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "SECRET_KEY": "x" * 60,
    "NIR_HASH_KEY": "h",
    "NIR_ENCRYPTION_KEY": "e",
    "SEARCH_ORDER_SECRET": "s",
    "ALLOWED_HOSTS": "opencpf.example",
    "DATABASE_URL": "postgres://u:p@db.example:5432/opencpf",
    "REDIS_URL": "redis://cache.example:6379/1",
}
PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT, 'sc': s.SESSION_COOKIE_SECURE, "
    "'cc': s.CSRF_COOKIE_SECURE, 'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'host': s.DATABASES['default']['HOST'], 'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'hosts': s.ALLOWED_HOSTS, 'hasher': s.PASSWORD_HASHERS[0]}))"
)


def run_settings(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PROD_ENV and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": module},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_from_environment():
    result = run_settings("config.settings.prod", PROD_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["hsts"] >= 31536000 and values["ssl"] and values["sc"] and values["cc"]
    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.postgresql" and values["host"] == "db.example"
    assert values["broker"] == "redis://cache.example:6379/1" and values["eager"] is False
    assert values["hosts"] == ["opencpf.example"]
    assert values["hasher"].endswith("Argon2PasswordHasher")


def test_production_refuses_to_start_without_secrets():
    env = {k: v for k, v in PROD_ENV.items() if k != "NIR_HASH_KEY"}
    result = run_settings("config.settings.prod", env)
    assert result.returncode != 0
    assert "NIR_HASH_KEY" in result.stderr


def test_embedded_default_is_sqlite_wal_with_immediate_transactions(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.db import connection as c; c.ensure_connection(); "
            "cur = c.cursor(); cur.execute('PRAGMA journal_mode'); "
            "print(json.dumps([c.vendor, cur.fetchone()[0], c.settings_dict['OPTIONS']['transaction_mode']]))",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "OPENCPF_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["sqlite", "wal", "IMMEDIATE"]
