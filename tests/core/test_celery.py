"""Background jobs: eager in-process by default; one test proves the real wiring through Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config.celery import app
from opencpf.core.tasks import echo

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def test_tasks_run_eagerly_in_process_by_default():
    result = echo.delay("bonjour")
    assert result.get() == {"value": "bonjour", "pid": os.getpid()}


@pytest.mark.redis
@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379 (CI starts one)")
def test_task_runs_through_a_real_worker_on_redis():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    try:
        app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
        with app.connection_for_write() as conn:
            result = echo.apply_async(args=["par Redis"], queue=queue, connection=conn)
        payload = result.get(timeout=60)
        assert payload["value"] == "par Redis"
        assert payload["pid"] == worker.pid  # ran in the worker process, not here
    finally:
        app.conf.update(**saved)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
