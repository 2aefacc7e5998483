"""Launch day: a mix of holders' requests against gunicorn, then the ledger verified.

    DATABASE_URL=postgres://... python -m bench.load [--users 50] [--duration 60] [--workers 3] [--threads 8]

Each user is a thread with its own HTTP session (logged in through the login form, and a bearer token for the
API) on loopback. The mix: 70 % search (GET /api/v1/search), 15 % balance and dossiers (GET /api/v1/rights/statement,
GET /api/v1/dossiers), 10 % offer pages (GET /mon-compte/sessions/<id>/demande/, the offer with its price split),
5 % enrolment actions (POST /api/v1/dossiers then POST .../retrait, with Idempotency-Key). Prints throughput,
p50/p95 per kind and errors (any answer other than the expected one), then runs `verify_ledger`.
Data: the demo catalogue (`seed_demo`) and `--users` holders with rights, created once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-opencpf-2026"
QUERIES = ["anglais", "excel", "comptabilité", "permis", "bureautique", "management", "toeic", "paie", "", "python"]
MIX = [("search", 70), ("account", 15), ("offer_page", 10), ("enrolment", 5)]


def _nir(i: int) -> str:
    body = f"1850578{i + 500_000:06d}"[:13]
    return f"{body}{97 - int(body) % 97:02d}"


def prepare(users: int) -> dict[str, Any]:
    """Demo catalogue, `users` holders with rights and an API token each; returns what the clients need."""
    from bench import _django

    # As `make bench`: the benchmark's files (SQLite database, collected static files) under var/bench/, so that
    # the static files collected for gunicorn do not slow down every test client's WhiteNoise start-up.
    os.environ.setdefault("OPENCPF_VAR_DIR", str(ROOT / "var" / "bench"))
    Path(os.environ["OPENCPF_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    _django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from opencpf.catalogue.models import Session
    from opencpf.core import clock
    from opencpf.enrolment.enums import DossierState
    from opencpf.enrolment.models import Dossier
    from opencpf.enrolment.services import dossier_withdraw
    from opencpf.identity.models import Holder
    from opencpf.identity.services import holder_create, user_email_mark_confirmed
    from opencpf.identity.tokens import api_token_issue
    from opencpf.rights.enums import AccountKind, TransactionKind
    from opencpf.rights.ledger import holder_account, platform_account, post
    from opencpf.web import demo

    call_command("collectstatic", interactive=False, verbosity=0)  # pages are served with DEBUG off
    demo.load()
    people = []
    for i in range(users):
        nir = _nir(i)
        holder = Holder.objects.filter(user__email=f"charge{i}@bench.opencpf.fr").select_related("user").first()
        if holder is None:
            holder = holder_create(
                nir=nir,
                birth_name="Charge",
                first_names=f"Utilisateur {i}",
                birth_date=dt.date(1985, 5, 14),
                sex="M",
                email=f"charge{i}@bench.opencpf.fr",
                password=PASSWORD,
            )
            user_email_mark_confirmed(user=holder.user)
            with transaction.atomic():
                post(
                    key=f"bench-load-credit-{i}",
                    kind=TransactionKind.CREDIT_YEAR,
                    lines=[
                        (platform_account(AccountKind.OPERATOR_FUNDING, "bench"), -200_000),
                        (holder_account(AccountKind.RIGHTS, holder.nir_hash), 200_000),
                    ],
                    label="Crédit de charge",
                )
        for dossier in Dossier.objects.filter(holder=holder, state=DossierState.NOT_PROCESSED):
            dossier_withdraw(dossier_id=dossier.pk, actor=holder.user, reason="Essai précédent")
        _, access, _ = api_token_issue(user=holder.user, label="bench.load")
        people.append({"nir": nir, "token": access})
    horizon = clock.today() + dt.timedelta(days=20)
    sessions = list(
        Session.objects.filter(offer__is_published=True, is_recruiting=True, start_date__gt=horizon)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    if not sessions:
        raise SystemExit("no published session starting in more than 20 days: load the demo data (seed_demo)")
    return {"people": people, "sessions": sessions}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DEBUG="false", LOG_LEVEL="WARNING")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:opencpf.search.gunicorn_hooks",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "config.wsgi:application",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # dev mails go to stdout


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def record(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


class User:
    def __init__(self, base: str, person: dict[str, str], sessions: list[int], seed: int, stats: Stats) -> None:
        import requests

        self.base, self.person, self.sessions, self.stats = base, person, sessions, stats
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.api = {"Authorization": f"Bearer {person['token']}"}
        self.open_dossier = ""

    def login(self) -> None:
        page = self.http.get(f"{self.base}/connexion/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = self.http.post(
            f"{self.base}/connexion/",
            data={
                "username": self.person["nir"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.base}/connexion/"},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed: {response.status_code}")

    def _call(self, kind: str, method: str, path: str, expected: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
        except Exception as exc:  # a refused or reset connection is an error of the run
            self.stats.record(kind, time.perf_counter() - t0, f"{method} {path}: {exc!r}")
            return None
        error = "" if response.status_code in expected else f"{method} {path}: {response.status_code}"
        self.stats.record(kind, time.perf_counter() - t0, error)
        return response if not error else None

    def step(self) -> None:
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind == "search":
            self._call(kind, "GET", "/api/v1/search", params={"q": self.rng.choice(QUERIES), "page_size": 20})
        elif kind == "account":
            path = self.rng.choice(["/api/v1/rights/statement", "/api/v1/dossiers"])
            self._call(kind, "GET", path, headers=self.api)
        elif kind == "offer_page":
            self._call(kind, "GET", f"/mon-compte/sessions/{self.rng.choice(self.sessions)}/demande/")
        elif self.open_dossier:
            number, self.open_dossier = self.open_dossier, ""
            self._call(
                kind,
                "POST",
                f"/api/v1/dossiers/{number}/retrait",
                json={"reason": "Essai de charge"},
                headers={**self.api, "Idempotency-Key": str(uuid.uuid4())},
            )
        else:
            response = self._call(
                kind,
                "POST",
                "/api/v1/dossiers",
                expected=(201,),
                json={"session_id": self.rng.choice(self.sessions)},
                headers={**self.api, "Idempotency-Key": str(uuid.uuid4())},
            )
            if response is not None:
                self.open_dossier = response.json()["number"]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    data = prepare(args.users)
    from django.db import connection

    print(
        f"database: {connection.vendor}; {args.users} users, {len(data['sessions'])} sessions; "
        f"prepared in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    connection.close()
    port = _free_port()
    server = start_server(port, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    stats = Stats()
    try:
        import requests

        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped")
            try:
                requests.get(f"{base}/api/v1/search?q=anglais", timeout=60).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        users = [User(base, p, data["sessions"], i, stats) for i, p in enumerate(data["people"])]
        for user in users:
            user.login()
        stop_at = time.perf_counter() + args.duration

        def run(user: User) -> None:
            while time.perf_counter() < stop_at:
                user.step()

        threads = [threading.Thread(target=run, args=(u,)) for u in users]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        for user in users:  # leave no request open for the next run
            if user.open_dossier:
                user.http.post(
                    f"{base}/api/v1/dossiers/{user.open_dossier}/retrait",
                    json={"reason": "Fin de l'essai"},
                    headers=user.api,
                    timeout=60,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(len(v) for v in stats.errors.values())
    every = [x for v in stats.latencies.values() for x in v]
    print(
        f"{args.users} users, {elapsed:.0f} s, gunicorn {args.workers} workers x {args.threads} threads: "
        f"{total} requests, {total / elapsed:.0f} req/s, p50 {_pct(every, 0.5):.0f} ms, p95 {_pct(every, 0.95):.0f} ms, "
        f"{errors} errors",
        flush=True,
    )
    for kind, _ in MIX:
        values = stats.latencies.get(kind, [])
        print(
            f"  {kind:<11} {len(values):>6} ({100 * len(values) / max(total, 1):.0f} %), p50 {_pct(values, 0.5):.0f} ms, "
            f"p95 {_pct(values, 0.95):.0f} ms, errors {len(stats.errors.get(kind, []))}"
        )
    for kind, messages in stats.errors.items():
        for message in sorted(set(messages))[:5]:
            print(f"  error ({kind}): {message}")

    from opencpf.rights.selectors import ledger_verify

    problems = ledger_verify()
    print("verify_ledger: " + ("clean" if not problems else f"{len(problems)} problem(s): {problems[:5]}"))
    print(
        json.dumps(
            {"requests": total, "errors": errors, "rps": round(total / elapsed, 1), "ledger_problems": len(problems)}
        )
    )
    if errors or problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
