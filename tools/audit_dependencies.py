"""`make quality`'s dependency audit: pip-audit on the pinned lock files.

Fails (exit 1) when a known vulnerability is found. When the vulnerability services cannot be reached (no
network, or a registry mirror without PyPI's JSON API, where pip-audit "finds nothing" because it checked
nothing), it says so clearly and does not fail the build for that reason alone; AUDIT_STRICT=1 makes that a
failure too (for machines that reach PyPI or OSV).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LOCK_FILES = ("requirements.lock", "requirements-dev.lock")


@dataclass
class Audit:
    lock: str
    vulnerable: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    checked: int = 0
    unreachable: str = ""


def read_report(lock: str, report: dict) -> Audit:
    audit = Audit(lock)
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            audit.unchecked.append(dep["name"])
            continue
        audit.checked += 1
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "aucune version corrigée"
            audit.vulnerable.append(f"{dep['name']} {dep.get('version', '')}: {vuln.get('id')} (corrigé en {fixes})")
    return audit


def run(lock: str) -> Audit:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [str(pip_audit), "-r", lock, "--disable-pip", "--no-deps", "--progress-spinner", "off", "-f", "json"]
            + ["-o", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if out.exists() and out.stat().st_size:
            return read_report(lock, json.loads(out.read_text()))
    audit = Audit(lock)
    audit.unreachable = (result.stderr.strip().splitlines() or ["pip-audit failed"])[-1][:300]
    return audit


def main() -> int:
    strict = os.environ.get("AUDIT_STRICT") == "1"
    status = 0
    for lock in LOCK_FILES:
        audit = run(lock)
        if audit.vulnerable:
            status = 1
            print(f"{lock}: {len(audit.vulnerable)} vulnérabilité(s) connue(s) :")
            for line in audit.vulnerable:
                print(f"  - {line}")
        if audit.unreachable or (audit.unchecked and not audit.checked):
            reason = audit.unreachable or f"aucun des {len(audit.unchecked)} paquets n'a pu être vérifié"
            print(f"{lock}: AUDIT IMPOSSIBLE, service de vulnérabilités injoignable ({reason}).")
            status = status or int(strict)
        elif audit.unchecked:
            print(f"{lock}: {audit.checked} paquets vérifiés ; non vérifiés : {', '.join(audit.unchecked)}.")
            status = status or int(strict)
        elif not audit.vulnerable:
            print(f"{lock}: {audit.checked} paquets vérifiés, aucune vulnérabilité connue.")
    return status


if __name__ == "__main__":
    sys.exit(main())
