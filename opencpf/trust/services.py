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
    ruleset_version: str = RULESET_VERSION,
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
                ruleset_version=ruleset_version,
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


# --- actions an agent takes from an alert (never automatic) ---------------------------------------------------


def alert_targets(alert: Alert) -> dict[str, int | None]:
    """The provider, offer, holder and dossier an alert is about (what its actions can act on)."""
    from opencpf.catalogue.models import Offer
    from opencpf.enrolment.models import Dossier

    t: dict[str, int | None] = {"provider": None, "offer": None, "holder": None, "dossier": None}
    sid = alert.subject_id
    if alert.subject_type == "provider":
        t["provider"] = sid
    elif alert.subject_type == "offer":
        t["offer"] = sid
        t["provider"] = Offer.objects.filter(pk=sid).values_list("training__provider_id", flat=True).first()
    elif alert.subject_type == "holder":
        t["holder"] = sid
    elif alert.subject_type == "dossier":
        row = Dossier.objects.filter(pk=sid).values("holder_id", "provider_id", "offer_id").first()
        if row:
            t.update(dossier=sid, holder=row["holder_id"], provider=row["provider_id"], offer=row["offer_id"])
    return t


ALERT_ACTIONS = {
    "hold_payments": "Suspendre les paiements de l'organisme",
    "unpublish_offer": "Dépublier l'offre",
    "suspend_purchases": "Suspendre les achats du titulaire",
    "require_strong_auth": "Exiger une nouvelle authentification forte du titulaire",
}


def alert_available_actions(alert: Alert) -> dict[str, str]:
    t = alert_targets(alert)
    need = {
        "hold_payments": "provider",
        "unpublish_offer": "offer",
        "suspend_purchases": "holder",
        "require_strong_auth": "holder",
    }
    return {k: v for k, v in ALERT_ACTIONS.items() if t[need[k]] is not None}


@transaction.atomic
def holder_purchases_suspend(*, holder_id: int, agent: Any, reason: str, days: int, alert_id: int | None = None) -> Any:
    """Suspend a holder's purchases for 7 days to 1 year (identity.strong.holder_can_purchase refuses meanwhile)."""
    from datetime import timedelta

    from opencpf.trust.exceptions import InvalidSuspension
    from opencpf.trust.models import PurchaseSuspension

    if not reason.strip():
        raise DecisionReasonRequired()
    if not 7 <= int(days) <= 366:
        raise InvalidSuspension()
    now = clock.now()
    suspension = PurchaseSuspension.objects.create(
        holder_id=holder_id,
        reason=reason.strip()[:500],
        starts_at=now,
        ends_at=now + timedelta(days=int(days)),
        alert_id=alert_id,
        placed_by=agent,
    )
    audit_record(
        action="trust.purchases_suspended", actor=agent, obj=suspension, reason=reason, data={"days": int(days)}
    )
    return suspension


@transaction.atomic
def holder_require_strong_auth(*, holder_id: int, agent: Any, reason: str) -> int:
    """End the holder's sessions and strong API tokens: the next purchase needs a new sign-in and strong
    authentication. Returns how many sessions were ended."""
    from django.contrib.sessions.models import Session

    from opencpf.identity.models import ApiToken, Holder, UserSession

    if not reason.strip():
        raise DecisionReasonRequired()
    holder = Holder.objects.select_related("user").get(pk=holder_id)
    keys = list(UserSession.objects.filter(user=holder.user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=holder.user).delete()
    ApiToken.objects.filter(user=holder.user, strong_until__isnull=False).update(strong_until=None)
    audit_record(
        action="trust.strong_auth_required", actor=agent, obj=holder, reason=reason, data={"sessions": len(keys)}
    )
    return len(keys)


@transaction.atomic
def alert_action(*, alert_id: int, agent: Any, action: str, reason: str, days: int = 30) -> Alert:
    """One explicit agent action from an alert, recorded on the alert with its reason."""
    from opencpf.catalogue.models import Offer
    from opencpf.catalogue.services import offer_unpublish
    from opencpf.payments.holds import place_hold
    from opencpf.trust.exceptions import ActionNotApplicable

    if not reason.strip():
        raise DecisionReasonRequired()
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if action not in alert_available_actions(alert):
        raise ActionNotApplicable()
    t = alert_targets(alert)
    label = f"Alerte {alert.pk} ({alert.rule}) : {reason.strip()}"[:500]
    if action == "hold_payments":
        from opencpf.catalogue.models import Provider

        place_hold(
            source="alert",
            source_ref=f"alert:{alert.pk}",
            reason=label,
            by=agent,
            provider=Provider.objects.get(pk=int(t["provider"] or 0)),
        )
    elif action == "unpublish_offer":
        offer_unpublish(offer=Offer.objects.get(pk=int(t["offer"] or 0)), actor=agent, reason=label, source="trust")
    elif action == "suspend_purchases":
        holder_purchases_suspend(holder_id=t["holder"], agent=agent, reason=label, days=days, alert_id=alert.pk)  # type: ignore[arg-type]
    elif action == "require_strong_auth":
        holder_require_strong_auth(holder_id=t["holder"], agent=agent, reason=label)  # type: ignore[arg-type]
    now = clock.now()
    if alert.status == AlertStatus.NEW:
        alert.status = AlertStatus.INVESTIGATING
    alert.updated_at = now
    alert.save(update_fields=["status", "updated_at"])
    AlertEvent.objects.create(alert=alert, actor=agent, action=action, reason=reason.strip()[:500], at=now)
    audit_record(action=f"trust.alert_action.{action}", actor=agent, obj=alert, reason=reason)
    return alert
