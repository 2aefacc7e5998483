"""Running the behaviour rules: after each committed purchase event (request, acceptance) and nightly.

`score_purchase` reads a handful of indexed rows (the measured cost is printed by `python -m bench.trust`);
`nightly` runs one grouped scan of the dossiers and one pass over published offers.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from opencpf.core import clock
from opencpf.trust import ruleset
from opencpf.trust.facts import offer_facts, provider_facts, purchase_facts
from opencpf.trust.models import ActivityEvent, ActivityKind, Alert
from opencpf.trust.rules import OFFER_RULES, PROVIDER_RULES, PURCHASE_RULES, Signal
from opencpf.trust.services import alert_raise


def raise_signal(sig: Signal, version: str, threshold: float) -> Alert | None:
    if sig.score < threshold:
        return None
    alert, _ = alert_raise(
        rule=sig.rule,
        subject_type=sig.subject_type,
        subject_id=sig.subject_id,
        subject_label=sig.subject_label,
        score=sig.score,
        reasons=sig.reasons,
        evidence_key=sig.evidence_key,
        ruleset_version=version,
    )
    return alert


def record_activity(
    *,
    user_id: int,
    kind: str,
    ip: str | None,
    device: str,
    at: dt.datetime | None = None,
    dossier_id: int | None = None,
    provider_id: int | None = None,
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        user_id=user_id,
        kind=kind,
        ip=ip or None,
        device=device or "",
        at=at or clock.now(),
        dossier_id=dossier_id,
        provider_id=provider_id,
    )


def purchase_signals(
    dossier_id: int, event: str, *, ip: str | None, device: str, at: dt.datetime
) -> tuple[list[Signal], str]:
    rs = ruleset.current(at.date())
    facts = purchase_facts(dossier_id, event, ip=ip, device=device, at=at, rs=rs)
    if facts is None:
        return [], rs.version
    out = []
    for fn, key in PURCHASE_RULES.values():
        sig = fn(facts, rs[key])
        if sig is not None:
            out.append(sig)
    return out, rs.version


def score_purchase(dossier_id: int, event: str, *, ip: str | None, device: str, at: dt.datetime) -> list[Alert]:
    """Run the holder and same-IP rules on one purchase event; raise the alerts above the threshold."""
    signals, version = purchase_signals(dossier_id, event, ip=ip, device=device, at=at)
    threshold = ruleset.current(at.date())["alert_threshold"]
    return [a for s in signals if (a := raise_signal(s, version, threshold)) is not None]


@dataclass
class NightlyReport:
    version: str = ""
    providers: int = 0
    offers: int = 0
    signals: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    seconds: float = 0.0
    found: list[Signal] = field(default_factory=list)


def nightly(*, now: dt.datetime | None = None, raise_alerts: bool = True) -> NightlyReport:
    """Every provider and offer rule on the current data; alerts raised once per subject and ISO week."""
    started = time.perf_counter()
    now = now or clock.now()
    today = now.date()
    rs = ruleset.current(today)
    iso = today.isocalendar()
    period = f"{iso[0]}-W{iso[1]:02d}"
    report = NightlyReport(version=rs.version)
    threshold = rs["alert_threshold"]

    def emit(sig: Signal | None) -> None:
        if sig is None:
            return
        report.signals[sig.rule] = report.signals.get(sig.rule, 0) + 1
        report.found.append(sig)
        if raise_alerts and raise_signal(sig, rs.version, threshold) is not None:
            report.alerts += 1

    for pf in provider_facts(now=now, rs=rs):
        report.providers += 1
        for name, (fn, key) in PROVIDER_RULES.items():
            if name in ("provider.new_provider_volume", "provider.dossier_spike"):
                emit(fn(pf, rs[key], today=today, period=period))
            else:
                emit(fn(pf, rs[key], period=period))
    for of in offer_facts(rs=rs):
        report.offers += 1
        for fn, key in OFFER_RULES.values():
            emit(fn(of, rs[key], period=period))
    report.seconds = time.perf_counter() - started
    return report


def purchase_event_kind(event: str) -> str | None:
    return {"request": ActivityKind.REQUEST, "accept": ActivityKind.ACCEPT}.get(event)
