"""Behaviour rules: small, named, pure functions from facts (computed by trust.facts) and parameters to a Signal.

Each rule returns None (nothing to say) or a Signal with a score in [0, 1] and reasons a person can read.
No rule decides anything: a signal above the threshold becomes an alert that an agent examines.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opencpf.core.money import format_eur


@dataclass(frozen=True)
class Signal:
    rule: str
    subject_type: str
    subject_id: int
    subject_label: str
    score: float
    reasons: list[dict]
    evidence_key: str = ""  # the same suspicion (rule, subject, evidence) is raised once


def _reason(label: str, **data: Any) -> dict:
    return {"label": label, **data}


def _scale(value: float, threshold: float, saturate: float) -> float:
    """0.6 at the threshold, rising to 1.0 at `saturate` (linear, clipped)."""
    if saturate <= threshold:
        return 1.0
    return round(min(1.0, 0.6 + 0.4 * max(0.0, (value - threshold) / (saturate - threshold))), 3)


# --- holders: one purchase (request or acceptance) ---------------------------------------------------------


@dataclass(frozen=True)
class PurchaseFacts:
    dossier_id: int
    dossier_number: str
    event: str  # request or accept
    holder_id: int
    holder_label: str
    provider_id: int
    provider_name: str
    at: dt.datetime
    ip: str | None = None
    device: str = ""
    security_changed_at: dt.datetime | None = None
    activated_at: dt.datetime | None = None
    earlier_dossiers: int = 0  # the holder's dossiers requested before this one
    history: int = 0  # the holder's earlier activity events (logins, requests...) older than this purchase
    ip_seen: bool = False
    device_seen: bool = False
    accounts_on_ip: int = 0  # distinct accounts activated or buying from this IP in the window (this one included)
    accounts_on_device: int = 0
    holders_to_provider_from_ip: int = 0  # distinct holders whose requests to this provider came from this IP


def purchase_after_security_change(f: PurchaseFacts, p: dict) -> Signal | None:
    """A purchase soon after the email, phone or password changed (the classic account takeover)."""
    if f.security_changed_at is None or f.at < f.security_changed_at:
        return None
    days = (f.at - f.security_changed_at).total_seconds() / 86400
    window = p["window_days"]
    if days > window:
        return None
    return Signal(
        "holder.purchase_after_security_change",
        "dossier",
        f.dossier_id,
        f"Dossier {f.dossier_number} – {f.holder_label}",
        round(1.0 - 0.3 * days / window, 3),
        [
            _reason(
                f"Achat {days:.1f} jours après une modification de l'adresse électronique, du téléphone ou du mot "
                f"de passe (seuil : {window} jours).",
                value=round(days, 2),
                threshold=window,
            )
        ],
    )


def purchase_new_origin(f: PurchaseFacts, p: dict) -> Signal | None:
    """A purchase from an IP address and a device both never seen on an account that has a history."""
    if f.history < p["min_history"] or f.ip_seen or f.device_seen or not (f.ip or f.device):
        return None
    return Signal(
        "holder.purchase_new_origin",
        "dossier",
        f.dossier_id,
        f"Dossier {f.dossier_number} – {f.holder_label}",
        0.65,
        [
            _reason(
                f"Achat depuis une adresse IP ({f.ip or 'inconnue'}) et un appareil jamais vus sur ce compte, "
                f"qui compte {f.history} connexions ou actions antérieures.",
                ip=f.ip,
                device=f.device[:12],
            )
        ],
    )


def first_purchase_after_activation(f: PurchaseFacts, p: dict) -> Signal | None:
    """The first purchase within minutes of the account's activation (accounts opened for someone else)."""
    if f.activated_at is None or f.earlier_dossiers > 0 or f.at < f.activated_at:
        return None
    minutes = (f.at - f.activated_at).total_seconds() / 60
    limit = p["minutes"]
    if minutes > limit:
        return None
    return Signal(
        "holder.first_purchase_after_activation",
        "dossier",
        f.dossier_id,
        f"Dossier {f.dossier_number} – {f.holder_label}",
        round(1.0 - 0.35 * minutes / limit, 3),
        [
            _reason(
                f"Première demande {minutes:.0f} minutes après l'activation du compte (seuil : {limit} minutes).",
                value=round(minutes, 1),
                threshold=limit,
            )
        ],
    )


def shared_origin(f: PurchaseFacts, p: dict) -> Signal | None:
    """Many accounts activated or buying from the same IP address or device in a short window."""
    ip_hit = f.accounts_on_ip >= p["min_accounts_ip"]
    dev_hit = f.accounts_on_device >= p["min_accounts_device"]
    if not (ip_hit or dev_hit):
        return None
    reasons, score = [], 0.0
    if ip_hit:
        reasons.append(
            _reason(
                f"{f.accounts_on_ip} comptes activés ou ayant acheté depuis l'adresse IP {f.ip} en "
                f"{p['window_hours']} heures (seuil : {p['min_accounts_ip']}).",
                value=f.accounts_on_ip,
                ip=f.ip,
            )
        )
        score = max(score, _scale(f.accounts_on_ip, p["min_accounts_ip"], 3 * p["min_accounts_ip"]))
    if dev_hit:
        reasons.append(
            _reason(
                f"{f.accounts_on_device} comptes activés ou ayant acheté depuis le même appareil en "
                f"{p['window_hours']} heures (seuil : {p['min_accounts_device']}).",
                value=f.accounts_on_device,
                device=f.device[:12],
            )
        )
        score = max(score, _scale(f.accounts_on_device, p["min_accounts_device"], 3 * p["min_accounts_device"]))
    return Signal(
        "holder.shared_origin",
        "dossier",
        f.dossier_id,
        f"Dossier {f.dossier_number} – {f.holder_label}",
        score,
        reasons,
    )


def provider_same_ip(f: PurchaseFacts, p: dict) -> Signal | None:
    """Requests of several holders sent to the same provider from one IP (often the provider's own office)."""
    if not f.ip or f.holders_to_provider_from_ip < p["min_holders"]:
        return None
    return Signal(
        "provider.same_ip_requests",
        "provider",
        f.provider_id,
        f.provider_name,
        _scale(f.holders_to_provider_from_ip, p["min_holders"], 4 * p["min_holders"]),
        [
            _reason(
                f"Demandes de {f.holders_to_provider_from_ip} titulaires différents envoyées à cet organisme depuis "
                f"la même adresse IP ({f.ip}) en {p['window_days']} jours (seuil : {p['min_holders']}).",
                value=f.holders_to_provider_from_ip,
                ip=f.ip,
            )
        ],
        evidence_key=f.ip,
    )


PURCHASE_RULES: dict[str, tuple[Callable[[PurchaseFacts, dict], Signal | None], str]] = {
    "holder.purchase_after_security_change": (purchase_after_security_change, "purchase_after_security_change"),
    "holder.purchase_new_origin": (purchase_new_origin, "purchase_new_origin"),
    "holder.first_purchase_after_activation": (first_purchase_after_activation, "first_purchase_after_activation"),
    "holder.shared_origin": (shared_origin, "shared_origin"),
    "provider.same_ip_requests": (provider_same_ip, "provider_same_ip"),
}


# --- providers: the nightly aggregates ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFacts:
    provider_id: int
    name: str
    headcount: int | None = None
    referenced_at: dt.datetime | None = None
    recent_new: int = 0  # dossiers requested in the last `recent_days`
    baseline_new: int = 0  # dossiers requested in the `baseline_weeks` before
    revenue_cents: int = 0  # price of dossiers accepted in the window
    accepted: int = 0  # dossiers accepted in the window (the rates' denominator)
    cancelled: int = 0
    no_show: int = 0
    exited: int = 0
    partial: int = 0
    window_new: int = 0  # dossiers requested in the new-provider window
    reporters: int = 0  # distinct holders (or addresses) who reported the provider
    ratings: Sequence[tuple[dt.datetime, float]] = field(default_factory=tuple)


def dossier_spike(f: ProviderFacts, p: dict, *, today: dt.date | None = None, period: str = "") -> Signal | None:
    """Many more new dossiers this week than the provider's own history predicts (providers without that much
    history are left to new_provider_volume)."""
    history_days = p["recent_days"] + 7 * p["baseline_weeks"]
    if today and f.referenced_at and (today - f.referenced_at.date()).days < history_days:
        return None
    weekly = f.baseline_new / max(1, p["baseline_weeks"])
    expected = weekly * p["recent_days"] / 7
    if f.recent_new < p["min_recent"] or f.recent_new < p["ratio"] * max(expected, 1.0):
        return None
    ratio = f.recent_new / max(expected, 1.0)
    return Signal(
        "provider.dossier_spike",
        "provider",
        f.provider_id,
        f.name,
        _scale(ratio, p["ratio"], 4 * p["ratio"]),
        [
            _reason(
                f"{f.recent_new} nouveaux dossiers en {p['recent_days']} jours, contre {expected:.1f} attendus "
                f"d'après les {p['baseline_weeks']} semaines précédentes (×{ratio:.1f}, seuil ×{p['ratio']}).",
                value=f.recent_new,
                expected=round(expected, 2),
            )
        ],
        evidence_key=period,
    )


def revenue_vs_size(f: ProviderFacts, p: dict, *, period: str = "") -> Signal | None:
    heads = max(1, f.headcount or 1)
    per_head = f.revenue_cents / heads
    if f.revenue_cents < p["min_cents"] or per_head <= p["max_cents_per_head"]:
        return None
    declared = f"{f.headcount} salarié(s) déclaré(s)" if f.headcount else "aucun effectif déclaré (compté 1)"
    return Signal(
        "provider.revenue_vs_size",
        "provider",
        f.provider_id,
        f.name,
        _scale(per_head, p["max_cents_per_head"], 4 * p["max_cents_per_head"]),
        [
            _reason(
                f"{format_eur(f.revenue_cents)} de formations achetées en {p['window_days']} jours pour {declared}, "
                f"soit {format_eur(int(per_head))} par personne (seuil : {format_eur(p['max_cents_per_head'])}).",
                value=f.revenue_cents,
                per_head=int(per_head),
            )
        ],
        evidence_key=period,
    )


def outcome_rates(f: ProviderFacts, p: dict, *, period: str = "") -> Signal | None:
    if f.accepted < p["min_dossiers"]:
        return None
    reasons, score = [], 0.0
    for count, limit_key, what in (
        (f.cancelled, "max_cancel_rate", "annulés"),
        (f.no_show, "max_no_show_rate", "non réalisés (absence du titulaire)"),
        (f.partial, "max_partial_rate", "terminés avec une réalisation partielle"),
    ):
        rate = count / f.accepted
        limit = p[limit_key]
        if rate > limit:
            reasons.append(
                _reason(
                    f"{rate:.0%} des {f.accepted} dossiers acceptés sont {what} (seuil : {limit:.0%}).",
                    value=round(rate, 3),
                    threshold=limit,
                )
            )
            score = max(score, _scale(rate, limit, min(1.0, 2 * limit)))
    if not reasons:
        return None
    return Signal("provider.outcome_rates", "provider", f.provider_id, f.name, score, reasons, evidence_key=period)


def _stdev(values: Sequence[float]) -> float:
    return statistics.pstdev(values) if len(values) > 1 else 0.0


def ratings_pattern(f: ProviderFacts, p: dict, *, period: str = "") -> Signal | None:
    """Ratings too uniform (all alike) or arriving in a burst."""
    n = len(f.ratings)
    if n < p["min_ratings"]:
        return None
    reasons, score = [], 0.0
    sd = _stdev([r for _, r in f.ratings])
    if sd <= p["max_stdev"]:
        reasons.append(
            _reason(
                f"{n} évaluations presque identiques (écart-type {sd:.2f}, seuil {p['max_stdev']}).",
                value=round(sd, 3),
            )
        )
        score = 0.75
    times = sorted(t for t, _ in f.ratings)
    span = dt.timedelta(hours=p["burst_hours"])
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - span:
            j += 1
        best = max(best, i - j + 1)
    share = best / n
    if share >= p["burst_share"]:
        reasons.append(
            _reason(
                f"{best} des {n} évaluations reçues en moins de {p['burst_hours']} heures ({share:.0%}).",
                value=best,
            )
        )
        score = max(score, _scale(share, p["burst_share"], 1.0))
    if not reasons:
        return None
    return Signal("provider.ratings_pattern", "provider", f.provider_id, f.name, score, reasons, evidence_key=period)


def holder_reports(f: ProviderFacts, p: dict, *, period: str = "") -> Signal | None:
    if f.reporters < p["min_reporters"]:
        return None
    return Signal(
        "provider.holder_reports",
        "provider",
        f.provider_id,
        f.name,
        _scale(f.reporters, p["min_reporters"], 4 * p["min_reporters"]),
        [
            _reason(
                f"{f.reporters} signalements de personnes différentes en {p['window_days']} jours "
                f"(seuil : {p['min_reporters']}).",
                value=f.reporters,
            )
        ],
        evidence_key=f"{period}:{f.reporters}",
    )


def new_provider_volume(f: ProviderFacts, p: dict, *, today: dt.date, period: str = "") -> Signal | None:
    if f.referenced_at is None or (today - f.referenced_at.date()).days > p["referenced_within_days"]:
        return None
    if f.window_new < p["min_dossiers"]:
        return None
    days = (today - f.referenced_at.date()).days
    return Signal(
        "provider.new_provider_volume",
        "provider",
        f.provider_id,
        f.name,
        _scale(f.window_new, p["min_dossiers"], 4 * p["min_dossiers"]),
        [
            _reason(
                f"Organisme référencé il y a {days} jours : {f.window_new} dossiers en {p['window_days']} jours "
                f"(seuil : {p['min_dossiers']}).",
                value=f.window_new,
            )
        ],
        evidence_key=period,
    )


PROVIDER_RULES: dict[str, tuple[Callable[..., Signal | None], str]] = {
    "provider.dossier_spike": (dossier_spike, "dossier_spike"),
    "provider.revenue_vs_size": (revenue_vs_size, "revenue_vs_size"),
    "provider.outcome_rates": (outcome_rates, "outcome_rates"),
    "provider.ratings_pattern": (ratings_pattern, "ratings"),
    "provider.holder_reports": (holder_reports, "holder_reports"),
    "provider.new_provider_volume": (new_provider_volume, "new_provider_volume"),
}


# --- offers: hours and price against the same certification ---------------------------------------------------


@dataclass(frozen=True)
class OfferFacts:
    offer_id: int
    label: str
    provider_id: int
    hours: int
    price_cents: int
    peers: int  # offers of the same certification (this one included)
    peer_providers: int
    p10_hours: float  # what the certification usually takes: the low end of its offers' range
    median_hourly: float  # median price per hour of the certification's offers (cents)
    mad_hourly: float  # median absolute deviation of those prices per hour


def robust_z(x: float, median: float, mad: float) -> float:
    """(x - median) / (1.4826 MAD): a z-score that outliers themselves do not drag (Iglewicz and Hoaglin)."""
    if mad <= 0:
        return math.inf if x > median else 0.0
    return (x - median) / (1.4826 * mad)


def short_hours(f: OfferFacts, p: dict, *, period: str = "") -> Signal | None:
    """Far fewer hours than the certification's offers usually have (a fraction of their 10th percentile)."""
    if f.peers < p["min_offers"] or f.peer_providers < p["min_providers"] or f.p10_hours <= 0:
        return None
    ratio = f.hours / f.p10_hours
    if ratio >= p["ratio"]:
        return None
    return Signal(
        "offer.short_hours",
        "offer",
        f.offer_id,
        f.label,
        _scale(p["ratio"] - ratio, 0.0, p["ratio"]),
        [
            _reason(
                f"{f.hours} heures, alors que 90 % des {f.peers} offres de la même certification durent au moins "
                f"{f.p10_hours:.0f} heures ({ratio:.0%} de cette durée, seuil {p['ratio']:.0%}).",
                value=f.hours,
                p10=f.p10_hours,
            )
        ],
        evidence_key=f"{f.hours}",
    )


def price_outlier(f: OfferFacts, p: dict, *, period: str = "") -> Signal | None:
    """A price per hour far above the certification's median (robust z-score with the MAD).

    Per hour, because a certification's offers legitimately differ in length (and so in total price)."""
    if f.peers < p["min_offers"] or f.median_hourly <= 0 or f.hours <= 0:
        return None
    hourly = f.price_cents / f.hours
    z = robust_z(hourly, f.median_hourly, f.mad_hourly)
    ratio = hourly / f.median_hourly
    if z < p["z"] or ratio < p["min_ratio"]:
        return None
    return Signal(
        "offer.price_outlier",
        "offer",
        f.offer_id,
        f.label,
        _scale(min(z, 50.0), p["z"], 4 * p["z"]),
        [
            _reason(
                f"Prix {format_eur(f.price_cents)} pour {f.hours} heures, soit {format_eur(int(hourly))} de l'heure "
                f"contre {format_eur(int(f.median_hourly))} en médiane pour les {f.peers} offres de la même "
                f"certification (×{ratio:.1f} ; écart robuste z = {'∞' if math.isinf(z) else f'{z:.1f}'}, "
                f"seuil {p['z']}).",
                value=f.price_cents,
                median_hourly=f.median_hourly,
                z=None if math.isinf(z) else round(z, 2),
            )
        ],
        evidence_key=f"{f.price_cents}",
    )


OFFER_RULES: dict[str, tuple[Callable[..., Signal | None], str]] = {
    "offer.short_hours": (short_hours, "short_hours"),
    "offer.price_outlier": (price_outlier, "price_outlier"),
}

# What each rule cannot see (shown in docs/trust.md and on the alert page).
BLIND_SPOTS = {
    "holder.purchase_after_security_change": "un fraudeur qui attend la fin de la fenêtre ; un changement légitime "
    "suivi d'un achat (faux positif).",
    "holder.purchase_new_origin": "un fraudeur qui utilise l'appareil du titulaire ; un titulaire qui change de "
    "téléphone (faux positif) ; les comptes sans historique.",
    "holder.first_purchase_after_activation": "un compte activé puis laissé dormir quelques heures.",
    "holder.shared_origin": "les adresses IP partagées légitimement (entreprise, opérateur mobile, structure "
    "d'accompagnement) ; les fraudeurs qui changent d'IP et d'appareil à chaque compte.",
    "provider.same_ip_requests": "les organismes qui passent par des proxys ; les salles informatiques "
    "légitimes d'un centre de formation.",
    "provider.dossier_spike": "une croissance lente et régulière ; un organisme sans historique (voir "
    "new_provider_volume).",
    "provider.revenue_vs_size": "un effectif déclaré faux ; la sous-traitance légitime.",
    "provider.outcome_rates": "les organismes qui déclarent une réalisation complète fictive ; les petits volumes.",
    "provider.ratings_pattern": "les fausses évaluations variées et étalées dans le temps.",
    "provider.holder_reports": "les fraudes dont les titulaires ne se rendent pas compte.",
    "provider.new_provider_volume": "un organisme ancien racheté pour frauder.",
    "offer.short_hours": "les certifications avec trop peu d'offres pour une médiane ; des heures gonflées sur "
    "le papier.",
    "offer.price_outlier": "une certification dont toutes les offres sont surévaluées ; les certifications "
    "avec trop peu d'offres.",
}
