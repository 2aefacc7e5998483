"""The embedded SQLite database queues concurrent writers (WAL + BEGIN IMMEDIATE) instead of failing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import django; django.setup()
from django.db import transaction
from opencpf.core.models import AuditEvent
from opencpf.core.audit import audit_record
for i in range(40):
    with transaction.atomic():
        n = AuditEvent.objects.filter(action="concurrency").count()  # read, then write in the same transaction
        audit_record(action="concurrency", data={"seen": n})
print("ok")
"""


@pytest.mark.slow
def test_concurrent_writers_queue_on_embedded_sqlite(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "OPENCPF_VAR_DIR": str(tmp_path),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [w.communicate(timeout=300) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err[-500:] for _, err in results]
    count = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from opencpf.core.models import AuditEvent; "
                "print(sorted(AuditEvent.objects.filter(action='concurrency').values_list('data__seen', flat=True)))",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    # Serialised read-then-write transactions: each saw a distinct count, 0..159.
    assert count == str(list(range(160)))
