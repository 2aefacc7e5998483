"""Each behaviour rule on hand-made facts: fires past its threshold with a readable reason, stays quiet below."""

import datetime as dt

from opencpf.trust import rules
from opencpf.trust.ruleset import DEFAULT_PARAMS as P

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def purchase(**kw):
    base = dict(
        dossier_id=1,
        dossier_number="26000",
        event="request",
        holder_id=1,
        holder_label="Paul Martin",
        provider_id=9,
        provider_name="OF",
        at=NOW,
        ip="10.0.0.1",
        device="d1",
        history=5,
        ip_seen=True,
        device_seen=True,
        earlier_dossiers=1,
    )
    base.update(kw)
    return rules.PurchaseFacts(**base)


def test_purchase_after_security_change():
    rule, p = rules.purchase_after_security_change, P["purchase_after_security_change"]
    assert rule(purchase(security_changed_at=NOW - dt.timedelta(days=11)), p) is None
    sig = rule(purchase(security_changed_at=NOW - dt.timedelta(days=3)), p)
    assert sig.score > 0.8 and "3.0 jours après une modification" in sig.reasons[0]["label"]
    assert rule(purchase(security_changed_at=None), p) is None


def test_new_origin_needs_history_and_both_unseen():
    rule, p = rules.purchase_new_origin, P["purchase_new_origin"]
    assert rule(purchase(ip_seen=False, device_seen=False), p).rule == "holder.purchase_new_origin"
    assert rule(purchase(ip_seen=False, device_seen=True), p) is None  # new IP alone: a mobile network
    assert rule(purchase(ip_seen=False, device_seen=False, history=0), p) is None


def test_first_purchase_minutes_after_activation():
    rule, p = rules.first_purchase_after_activation, P["first_purchase_after_activation"]
    sig = rule(purchase(activated_at=NOW - dt.timedelta(minutes=4), earlier_dossiers=0), p)
    assert sig and "4 minutes" in sig.reasons[0]["label"]
    assert rule(purchase(activated_at=NOW - dt.timedelta(minutes=4), earlier_dossiers=2), p) is None
    assert rule(purchase(activated_at=NOW - dt.timedelta(hours=3), earlier_dossiers=0), p) is None


def test_shared_origin_and_same_ip_to_provider():
    p = P["shared_origin"]
    assert rules.shared_origin(purchase(accounts_on_ip=3, accounts_on_device=2), p) is None
    sig = rules.shared_origin(purchase(accounts_on_ip=9, accounts_on_device=1), p)
    assert sig and sig.score > 0.6 and "9 comptes" in sig.reasons[0]["label"]
    same = rules.provider_same_ip(purchase(holders_to_provider_from_ip=5), P["provider_same_ip"])
    assert same.subject_type == "provider" and same.evidence_key == "10.0.0.1"
    assert rules.provider_same_ip(purchase(holders_to_provider_from_ip=2), P["provider_same_ip"]) is None


def provider(**kw):
    return rules.ProviderFacts(provider_id=3, name="OF", **kw)


def test_spike_against_own_history():
    p = P["dossier_spike"]
    assert rules.dossier_spike(provider(recent_new=14, baseline_new=12 * 10), p) is None  # 10 a week usually
    sig = rules.dossier_spike(provider(recent_new=60, baseline_new=12 * 10), p)
    assert sig and "×6.0" in sig.reasons[0]["label"]
    assert rules.dossier_spike(provider(recent_new=8, baseline_new=0), p) is None  # too few to tell


def test_revenue_against_declared_headcount():
    p = P["revenue_vs_size"]
    assert rules.revenue_vs_size(provider(headcount=10, revenue_cents=100_000_00 * 10), p) is None
    sig = rules.revenue_vs_size(provider(headcount=1, revenue_cents=900_000_00), p)
    assert sig and "900 000,00 €" in sig.reasons[0]["label"].replace("\u202f", " ").replace("\xa0", " ")


def test_outcome_rates():
    p = P["outcome_rates"]
    assert rules.outcome_rates(provider(accepted=10, cancelled=9), p) is None  # too few dossiers
    assert rules.outcome_rates(provider(accepted=100, cancelled=20, no_show=5, partial=10), p) is None
    sig = rules.outcome_rates(provider(accepted=100, cancelled=10, no_show=30, partial=10), p)
    assert sig and "non réalisés" in sig.reasons[0]["label"]


def test_ratings_uniform_or_in_a_burst():
    p = P["ratings"]
    spread = [(NOW - dt.timedelta(days=10 * i), 2.0 + (i % 4)) for i in range(12)]
    assert rules.ratings_pattern(provider(ratings=spread), p) is None
    uniform = [(NOW - dt.timedelta(days=10 * i), 5.0) for i in range(12)]
    assert "presque identiques" in rules.ratings_pattern(provider(ratings=uniform), p).reasons[0]["label"]
    burst = [(NOW - dt.timedelta(hours=i), 2.0 + (i % 4)) for i in range(12)]
    assert "en moins de 48 heures" in rules.ratings_pattern(provider(ratings=burst), p).reasons[0]["label"]


def test_reports_and_new_provider_volume():
    assert rules.holder_reports(provider(reporters=2), P["holder_reports"]) is None
    assert rules.holder_reports(provider(reporters=4), P["holder_reports"]) is not None
    p, today = P["new_provider_volume"], NOW.date()
    young = NOW - dt.timedelta(days=30)
    assert rules.new_provider_volume(provider(referenced_at=young, window_new=80), p, today=today)
    assert rules.new_provider_volume(provider(referenced_at=young, window_new=10), p, today=today) is None
    old = NOW - dt.timedelta(days=400)
    assert rules.new_provider_volume(provider(referenced_at=old, window_new=80), p, today=today) is None


def offer(**kw):
    base = dict(
        offer_id=5,
        label="x",
        provider_id=3,
        hours=35,
        price_cents=35 * 4000,
        peers=10,
        peer_providers=6,
        p10_hours=30.0,
        median_hourly=4000.0,
        mad_hourly=500.0,
    )
    base.update(kw)
    return rules.OfferFacts(**base)


def test_robust_z_and_price_outlier_per_hour():
    assert rules.robust_z(4000 + 1.4826 * 500 * 4, 4000, 500) == 4.0
    p = P["price_outlier"]
    assert rules.price_outlier(offer(price_cents=35 * 6000), p) is None  # 1.5 times the median: in range
    assert rules.price_outlier(offer(hours=400, price_cents=400 * 4200), p) is None  # long, not dear
    sig = rules.price_outlier(offer(price_cents=35 * 12_000), p)
    assert sig and "z = 10.8" in sig.reasons[0]["label"]
    assert rules.price_outlier(offer(price_cents=35 * 12_000, peers=3), p) is None


def test_short_hours_against_the_usual_range():
    p = P["short_hours"]
    assert rules.short_hours(offer(hours=20), p) is None
    assert "7 heures" in rules.short_hours(offer(hours=7), p).reasons[0]["label"]
    assert rules.short_hours(offer(hours=7, peer_providers=2), p) is None


def test_spike_leaves_young_providers_to_the_new_provider_rule():
    p = P["dossier_spike"]
    young = provider(recent_new=60, baseline_new=0, referenced_at=NOW - dt.timedelta(days=40))
    assert rules.dossier_spike(young, p, today=NOW.date()) is None
    assert rules.dossier_spike(young, P["dossier_spike"]) is not None  # without a referencing date: judged alone
