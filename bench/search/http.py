"""Through HTTP: gunicorn serving GET /api/v1/search (index built in the master, shared by forked workers),
driven by bench.search.load in a second process on loopback; then each worker's memory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (from /proc), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def run_http(qs: list[dict[str, Any]], args: Any) -> None:
    from bench.search import rss_mb
    from bench.search.queries import to_http

    port = _free_port()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    env["DEBUG"] = "false"
    env["LOG_LEVEL"] = "WARNING"
    env["SEARCH_FRESHNESS_SECONDS"] = env.get("SEARCH_FRESHNESS_SECONDS", "1")
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:opencpf.search.gunicorn_hooks",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
        "config.wsgi:application",
    ]
    print(f"\nHTTP: {' '.join(cmd[2:])}", flush=True)
    started = time.perf_counter()
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/search?q=formation"
        while True:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped")
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(1)
        print(
            f"server ready in {time.perf_counter() - started:.0f} s (index built in the master before fork); "
            f"'formation': {body['count']} results, {len(body['items'])} in the page",
            flush=True,
        )
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            for q in qs:
                fh.write(f"/api/v1/search?{to_http(q)}\n")
            paths = fh.name
        # warm every worker's result cache the same way a busy server would be
        load = [sys.executable, "-m", "bench.search.load", "--port", str(port), "--paths", paths]
        subprocess.run([*load, "--concurrency", "4", "--duration", "5"], cwd=ROOT, check=True, capture_output=True)
        workers = _children(server.pid)
        cpu0, load0 = _cpu_seconds(workers), os.getloadavg()[0]
        out = subprocess.run(
            [*load, "--concurrency", str(args.concurrency), "--duration", str(args.duration)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        cpu = _cpu_seconds(workers) - cpu0
        print(
            f"{args.concurrency} clients, {result['seconds']} s: {result['requests']} searches, {result['errors']} errors, "
            f"{result['rps']} searches/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms",
            flush=True,
        )
        print(
            f"CPU of the gunicorn workers: {cpu * 1000 / max(1, result['requests']):.2f} ms per search "
            f"(load-independent reading); load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after",
            flush=True,
        )
        master_rss, master_pss = rss_mb(server.pid)
        print(f"memory: master RSS {master_rss:.0f} MB (PSS {master_pss:.0f} MB)")
        for pid in _children(server.pid):
            rss, pss = rss_mb(pid)
            print(f"memory: worker {pid} RSS {rss:.0f} MB, PSS {pss:.0f} MB (PSS counts shared pages fractionally)")
        os.unlink(paths)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
