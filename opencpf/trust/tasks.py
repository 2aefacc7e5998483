"""Trust jobs: screening and scoring run on the workers in production (eager, in-process, in the embedded default)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task


@shared_task(name="trust.screen_offer", acks_late=True)
def screen_offer(offer_id: int) -> int:
    """Screen one offer's texts; returns how many alerts it has (raising is idempotent per fingerprint)."""
    from opencpf.trust.hooks import screen_offer_now

    return len(screen_offer_now(offer_id))


@shared_task(name="trust.score_purchase", acks_late=True)
def score_purchase(dossier_id: int, event: str, ip: str | None, device: str, at: str) -> int:
    """Score one committed purchase event; returns how many alerts it raised or found (idempotent)."""
    from opencpf.trust.scoring import score_purchase as run

    return len(run(dossier_id, event, ip=ip, device=device, at=dt.datetime.fromisoformat(at)))


@shared_task(name="trust.nightly", acks_late=True)
def nightly() -> dict:
    """Every provider and offer rule (scheduled daily by TrustConfig.ready)."""
    from opencpf.trust.scoring import nightly as run

    report = run()
    return {"version": report.version, "alerts": report.alerts, "signals": report.signals, "seconds": report.seconds}


@shared_task(name="trust.control_deadlines", acks_late=True)
def control_deadlines() -> dict:
    """Daily: reminders before a control's deadline, "unanswered" after it (idempotent, scheduled by TrustConfig)."""
    from opencpf.trust.controls import control_deadlines as run

    outcome = run()
    return {"reminded": outcome.reminded, "lapsed": outcome.lapsed}
