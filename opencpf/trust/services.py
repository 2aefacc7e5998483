"""Alerts: raised by rules (idempotently, one per fingerprint), decided by agents."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.trust.exceptions import AlertAlreadyDecided, DecisionReasonRequired
from opencpf.trust.models import Alert, AlertEvent, AlertStatus
from opencpf.trust.text_rules import RULESET_VERSION, Finding, screen_offer_text

ALERT_THRESHOLD = 0.6  # findings below are kept out of the queue


def _fingerprint(rule: str, subject_type: str, subject_id: int, evidence: str) -> str:
    return hashlib.sha256(f"{rule}|{subject_type}|{subject_id}|{evidence}".encode()).hexdigest()


def alert_raise(
    *,
    rule: str,
    subject_type: str,
    subject_id: int,
    subject_label: str,
    score: float,
    reasons: list[dict],
    evidence_key: str = "",
) -> tuple[Alert, bool]:
    """Create the alert unless the same suspicion (rule, subject, evidence) was already raised. Returns (alert, created)."""
    fingerprint = _fingerprint(rule, subject_type, subject_id, evidence_key)
    existing = Alert.objects.filter(fingerprint=fingerprint).first()
    if existing:
        return existing, False
    now = clock.now()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                ruleset_version=RULESET_VERSION,
                subject_type=subject_type,
                subject_id=subject_id,
                subject_label=subject_label[:300],
                score=score,
                reasons=reasons,
                fingerprint=fingerprint,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # raised concurrently by another worker
        return Alert.objects.get(fingerprint=fingerprint), False
    return alert, True


def _reason(f: Finding) -> dict:
    return {"label": f.label, "excerpt": f.excerpt, "matched": f.matched, "score": f.score, "rule": f.rule}


def offer_text_screen(*, offer_id: int, label: str, text: str, certification_title: str = "") -> list[Alert]:
    """Screen an offer's texts; one alert per rule with every finding as evidence."""
    by_rule: dict[str, list[Finding]] = {}
    for f in screen_offer_text(text, certification_title=certification_title):
        if f.score >= ALERT_THRESHOLD:
            by_rule.setdefault(f.rule, []).append(f)
    alerts = []
    for rule, findings in by_rule.items():
        evidence = "|".join(sorted(f.matched.lower() for f in findings))
        alert, _ = alert_raise(
            rule=rule,
            subject_type="offer",
            subject_id=offer_id,
            subject_label=label,
            score=max(f.score for f in findings),
            reasons=[_reason(f) for f in findings],
            evidence_key=evidence,
        )
        alerts.append(alert)
    return alerts


@transaction.atomic
def alert_decide(*, alert_id: int, agent: Any, status: str, reason: str) -> Alert:
    if not reason.strip():
        raise DecisionReasonRequired()
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.status in (AlertStatus.DISMISSED, AlertStatus.CONFIRMED):
        raise AlertAlreadyDecided()
    if status not in (AlertStatus.INVESTIGATING, AlertStatus.DISMISSED, AlertStatus.CONFIRMED):
        raise DecisionReasonRequired("Choisissez une décision.")
    now = clock.now()
    alert.status, alert.updated_at = status, now
    fields = ["status", "updated_at"]
    if status != AlertStatus.INVESTIGATING:
        alert.decided_by, alert.decision_reason = agent, reason.strip()[:500]
        fields += ["decided_by", "decision_reason"]
    alert.save(update_fields=fields)
    AlertEvent.objects.create(alert=alert, actor=agent, action=f"status:{status}", reason=reason.strip()[:500], at=now)
    audit_record(action="trust.alert_decided", actor=agent, obj=alert, reason=reason, data={"status": status})
    return alert
