"""Trust: the behaviour rules on labelled scenarios (precision and recall per rule), the cost of scoring one
purchase, the false-alert rate on the demo data, and the nightly batch on N dossiers (PostgreSQL, scratch database).

    DATABASE_URL=postgres://... python -m bench.trust                       (small: 100 000 dossiers)
    DATABASE_URL=postgres://... python -m bench.trust --dossiers 1000000    (the target: 1 M in 5 minutes)

Scenarios are generated on top of the demo data (opencpf.web.demo) and a generated catalogue
(opencpf.catalogue.generate): normal activity with random variation, and each fraud pattern with random
magnitude. Every alert raised is compared with the labels: (rule, subject) pairs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

from bench._scratch_pg import base_url, migrate, run_child, scratch_database

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


class World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.truth: dict[str, set[tuple[str, int]]] = defaultdict(set)
        self.dossiers: list[Any] = []
        self.events: list[Any] = []
        self.purchases: list[tuple[dt.datetime, Any, int, str | None, str]] = []  # (at, dossier, user, ip, device)
        self.seq = 0

    def label(self, rule: str, subject_type: str, subject_id: int) -> None:
        self.truth[rule].add((subject_type, subject_id))


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _dev(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _holders(n: int, tag: str) -> list[Any]:
    from opencpf.identity.models import Holder, User, UserKind

    users = [
        User(username=f"{tag}{i}", email=f"{tag}{i}@bench.example", kind=UserKind.HOLDER, password="!", first_name="B")
        for i in range(n)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    holders = [
        Holder(
            user_id=u.pk,
            nir_hash=f"{tag}-{u.pk:016x}",
            nir_encrypted="-",
            nir_masked="-",
            birth_name=f"Nom{i}",
            first_names="Prénom",
            birth_date=dt.date(1985, 1, 1),
            sex="M",
        )
        for i, u in enumerate(users)
    ]
    Holder.objects.bulk_create(holders, batch_size=5000)
    return holders


def _dossier(w: World, holder: Any, offer: Any, at: dt.datetime, **kw: Any) -> Any:
    from opencpf.enrolment.models import Dossier

    w.seq += 1
    session = offer._bench_session
    d = Dossier(
        number=f"BT{w.seq:012d}",
        holder_id=holder.pk,
        provider_id=offer.training.provider_id,
        training_id=offer.training_id,
        offer_id=offer.pk,
        session_id=session.pk,
        start_date=session.start_date,
        end_date=max(session.start_date, session.end_date),
        price_cents=offer.price_incl_tax_cents,
        requested_at=at,
        **kw,
    )
    w.dossiers.append(d)
    return d


# --- providers' scenarios ----------------------------------------------------------------------------------


def provider_scenarios(w: World, offers_by_provider: dict[int, list[Any]], holders: list[Any]) -> None:
    from opencpf.catalogue.models import Provider
    from opencpf.support.models import Report

    rng = w.rng
    providers = list(Provider.objects.filter(pk__in=list(offers_by_provider)))
    patterns = ["spike", "revenue", "cancel", "no_show", "partial", "reports", "new_volume"]
    reports = []
    for p in providers:
        offers = offers_by_provider[p.pk]
        pattern = rng.choice(patterns) if rng.random() < 0.35 else None
        weekly = rng.uniform(0.5, 6)
        rates = {"cancel": rng.uniform(0.02, 0.2), "no_show": rng.uniform(0, 0.08), "partial": rng.uniform(0.03, 0.2)}
        if pattern in ("cancel", "no_show", "partial"):
            weekly = max(weekly, 2.5)
            rates[pattern] = {
                "cancel": rng.uniform(0.5, 0.8),
                "no_show": rng.uniform(0.3, 0.6),
                "partial": rng.uniform(0.45, 0.8),
            }[pattern]
        weeks = 52
        if pattern == "new_volume":
            p.referenced_at = NOW - dt.timedelta(days=rng.randint(15, 100))
            weeks = 0
        elif p.referenced_at is None or p.referenced_at > NOW - dt.timedelta(days=400):
            p.referenced_at = NOW - dt.timedelta(days=rng.randint(400, 3000))
        avg_price = statistics.mean(o.price_incl_tax_cents for o in offers)
        yearly = weekly * 52 * avg_price
        p.headcount = max(1, int(yearly / rng.uniform(20_000_00, 90_000_00)) + 1)
        if pattern == "revenue":
            weekly = max(weekly, 4)
            p.headcount = 1
            yearly = weekly * 52 * avg_price
            if yearly < 2.5 * 15_000_000:
                weekly *= 2.5 * 15_000_000 / yearly
        for week in range(weeks):
            start = NOW - dt.timedelta(days=7 * (week + 1))
            n = _poisson(rng, weekly)
            for _ in range(n):
                _history_dossier(
                    w, rng, p, offers, holders, start + dt.timedelta(seconds=rng.randrange(7 * 86400)), rates
                )
        if pattern == "spike":
            for _ in range(int(weekly * rng.uniform(6, 15)) + 15):
                at = NOW - dt.timedelta(seconds=rng.randrange(7 * 86400))
                _history_dossier(w, rng, p, offers, holders, at, rates)
        if pattern == "new_volume":
            for _ in range(rng.randint(50, 150)):
                at = NOW - dt.timedelta(seconds=rng.randrange(min(30, (NOW - p.referenced_at).days) * 86400))
                _history_dossier(w, rng, p, offers, holders, at, rates)
        n_reports = rng.randint(3, 8) if pattern == "reports" else (1 if rng.random() < 0.15 else 0)
        for i in range(n_reports):
            reports.append(
                Report(
                    reference=f"SB{p.pk}-{i}",
                    kind="suspicious_provider",
                    provider=p,
                    description="bench",
                    reporter_email=f"r{p.pk}-{i}@bench.example",
                    created_at=NOW - dt.timedelta(days=rng.randint(1, 150)),
                )
            )
        p.save(update_fields=["referenced_at", "headcount"])
        if pattern:
            rule = {
                "spike": "provider.dossier_spike",
                "revenue": "provider.revenue_vs_size",
                "cancel": "provider.outcome_rates",
                "no_show": "provider.outcome_rates",
                "partial": "provider.outcome_rates",
                "reports": "provider.holder_reports",
                "new_volume": "provider.new_provider_volume",
            }[pattern]
            w.label(rule, "provider", p.pk)
    Report.objects.bulk_create(reports)


def _poisson(rng: random.Random, lam: float) -> int:
    import numpy as np

    return int(np.random.default_rng(rng.getrandbits(32)).poisson(lam))


def _history_dossier(
    w: World,
    rng: random.Random,
    p: Any,
    offers: list[Any],
    holders: list[Any],
    at: dt.datetime,
    rates: dict[str, float],
) -> None:
    offer = rng.choice(offers)
    accepted = at + dt.timedelta(days=rng.randint(1, 6))
    r = rng.random()
    kw: dict[str, Any] = {
        "accepted_at": accepted,
        "state": "serviceDoneValidated",
        "completion_rate_bp": 10000,
        "exit_date": (accepted + dt.timedelta(days=30)).date(),
    }
    if r < rates["cancel"]:
        kw.update(
            state=rng.choice(["canceledByAttendee", "canceledByOrganism"]), completion_rate_bp=None, exit_date=None
        )
    elif r < rates["cancel"] + rates["no_show"]:
        kw.update(state="canceledByAttendeeNotRealized", completion_rate_bp=None, exit_date=None)
    elif r < rates["cancel"] + rates["no_show"] + rates["partial"]:
        kw.update(completion_rate_bp=rng.randint(1000, 7900))
    _dossier(w, rng.choice(holders), offer, at, **kw)


# --- offers' scenarios ------------------------------------------------------------------------------------------


def offer_scenarios(w: World, offers: list[Any]) -> None:
    import numpy as np

    rng = w.rng
    by_cert: dict[int, list[Any]] = defaultdict(list)
    for o in offers:
        by_cert[o.training.certification_id].append(o)
    changed = []
    for group in by_cert.values():
        if len(group) < 8:
            continue
        p10 = float(np.percentile([o.hours_total for o in group], 10))
        med_hourly = float(np.median([o.price_incl_tax_cents / max(1, o.hours_total) for o in group]))
        for o in rng.sample(group, k=max(1, len(group) // 25)):
            if rng.random() < 0.5:  # the price per hour raised 2.5 to 6 times the certification's median
                o.price_incl_tax_cents = int(o.hours_total * med_hourly * rng.uniform(2.5, 6))
                w.label("offer.price_outlier", "offer", o.pk)
            else:  # a fraction of the hours the certification's offers usually have
                hours = max(1, int(p10 * rng.uniform(0.05, 0.35)))
                if rng.random() < 0.5:  # sold at a price cut in proportion: only short
                    o.price_incl_tax_cents = o.price_incl_tax_cents * hours // o.hours_total
                elif o.price_incl_tax_cents / hours >= 2 * med_hourly:  # at the full price: dear per hour too
                    w.label("offer.price_outlier", "offer", o.pk)
                o.hours_total = hours
                w.label("offer.short_hours", "offer", o.pk)
            changed.append(o)
    from opencpf.catalogue.models import Offer

    Offer.objects.bulk_update(changed, ["price_incl_tax_cents", "hours_total"])


# --- holders' scenarios -------------------------------------------------------------------------------------------


def holder_scenarios(w: World, offers: list[Any], n: int) -> None:
    from opencpf.identity.models import User
    from opencpf.trust.models import ActivityEvent

    rng = w.rng
    holders = _holders(n, "hs")
    users = {u.pk: u for u in User.objects.filter(pk__in=[h.user_id for h in holders])}
    user_updates = []

    def ev(h: Any, kind: str, ip: str | None, dev: str, at: dt.datetime, d: Any = None) -> None:
        w.events.append(
            ActivityEvent(
                user_id=h.user_id,
                kind=kind,
                ip=ip,
                device=dev,
                at=at,
                dossier_id=getattr(d, "pk", None),
                provider_id=getattr(d, "provider_id", None),
            )
        )

    def buy(h: Any, at: dt.datetime, ip: str | None, dev: str, offer: Any = None) -> Any:
        d = _dossier(w, h, offer or rng.choice(offers), at)
        w.purchases.append((at, d, h.user_id, ip, dev))
        return d

    office_ip, office_dev = {}, {}
    i = 0
    while i < len(holders):
        h = holders[i]
        home_ip, home_dev = _ip(rng), _dev(rng)
        at = NOW - dt.timedelta(days=rng.uniform(0, 20), hours=rng.uniform(0, 24))
        r = rng.random()
        if r < 0.05:  # a farm: several accounts activated from one address, each buying hours later
            k = rng.randint(4, 9)
            farm_ip, farm_dev = _ip(rng), _dev(rng)
            same_device = rng.random() < 0.5
            for h2 in holders[i : i + k]:
                act = at + dt.timedelta(minutes=rng.uniform(0, 180))
                dev = farm_dev if same_device else _dev(rng)
                ev(h2, "activation", farm_ip, dev, act)
                d = buy(h2, act + dt.timedelta(hours=rng.uniform(1, 6)), farm_ip, dev)
                w.label("holder.shared_origin", "dossier", id(d))
            i += k
            continue
        i += 1
        if 0.12 <= r < 0.15:  # account opened for someone, first purchase minutes later
            ev(h, "activation", home_ip, home_dev, at - dt.timedelta(minutes=rng.uniform(1, 25)))
            d = buy(h, at, home_ip, home_dev)
            w.label("holder.first_purchase_after_activation", "dossier", id(d))
            continue
        act = at - dt.timedelta(days=rng.uniform(30, 900))
        ev(h, "activation", home_ip, home_dev, act)
        for _ in range(rng.randint(2, 8)):
            ev(h, "login", home_ip if rng.random() < 0.8 else _ip(rng), home_dev, act + (at - act) * rng.random())
        if r < 0.09:  # account takeover: credentials changed, purchase from elsewhere days later
            users[h.user_id].security_changed_at = at - dt.timedelta(days=rng.uniform(3.1, 9))
            user_updates.append(users[h.user_id])
            d = buy(h, at, _ip(rng), _dev(rng))
            w.label("holder.purchase_after_security_change", "dossier", id(d))
            w.label("holder.purchase_new_origin", "dossier", id(d))
        elif r < 0.12:  # phished password, no change: a new address and a new device
            d = buy(h, at, _ip(rng), _dev(rng))
            w.label("holder.purchase_new_origin", "dossier", id(d))
        elif r < 0.18:  # a provider's office sends requests for holders
            p_offer = rng.choice(offers[: max(1, len(offers) // 10)])
            pid = p_offer.training.provider_id
            office_ip.setdefault(pid, _ip(rng))
            office_dev.setdefault(pid, _dev(rng))
            d = buy(h, at, office_ip[pid], office_dev[pid], p_offer)
            d._bench_office = pid
            w.label("holder.purchase_new_origin", "dossier", id(d))
        else:  # normal: home, or a new address from the usual device, rarely a new device at home
            if rng.random() < 0.01:  # a legitimate change of password, then a purchase (a false positive to expect)
                users[h.user_id].security_changed_at = at - dt.timedelta(days=rng.uniform(3.1, 9))
                user_updates.append(users[h.user_id])
            v = rng.random()
            ip, dev = (home_ip, home_dev) if v < 0.8 else ((_ip(rng), home_dev) if v < 0.95 else (home_ip, _dev(rng)))
            buy(h, at, ip, dev)
    User.objects.bulk_update(user_updates, ["security_changed_at"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.trust", description=__doc__)
    parser.add_argument(
        "--dossiers", type=int, default=100_000, help="dossiers for the nightly batch (default 100 000)"
    )
    parser.add_argument("--holders", type=int, default=3000, help="holders' purchases in the scenarios (default 3000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    if base_url() is None:
        print("bench.trust needs PostgreSQL: set DATABASE_URL=postgres://... (a scratch database is created)")
        return 0
    with scratch_database("trust") as url:
        return run_child(
            "bench.trust", url, [f"--dossiers={args.dossiers}", f"--holders={args.holders}", f"--seed={args.seed}"]
        )


def _child(args: argparse.Namespace) -> int:
    from bench._django import setup

    setup()
    migrate()
    from django.db import connection

    from opencpf.catalogue.generate import generate
    from opencpf.catalogue.models import Offer, Provider, Session, Training
    from opencpf.core import clock
    from opencpf.enrolment.models import Dossier
    from opencpf.trust.models import ActivityEvent, Alert
    from opencpf.trust.scoring import nightly, score_purchase
    from opencpf.web import demo
    from opencpf.web.demo_story import SUSPICIOUS_TRAINING_REFERENCE

    clock.freeze(NOW)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    demo.load()
    # The demo story plants one suspicious offer on purpose (opencpf.web.demo_story): its provider is not clean.
    planted = set(
        Training.objects.filter(reference=SUSPICIOUS_TRAINING_REFERENCE).values_list("provider_id", flat=True)
    )
    clean_providers = Provider.objects.exclude(pk__in=planted).count()
    report = nightly()
    alerted = set()
    for a in Alert.objects.all():
        if a.subject_type == "provider":
            alerted.add(a.subject_id)
        elif a.subject_type == "offer":
            alerted.add(Offer.objects.get(pk=a.subject_id).training.provider_id)
    clean_alerted = alerted - planted
    print(
        f"Demo data: {clean_providers} clean providers (+{len(planted)} planted by the demo story, "
        f"{'alerted' if planted & alerted else 'NOT alerted'}), {report.offers} published offers; clean providers "
        f"alerted: {len(clean_alerted)} ({len(clean_alerted) / max(1, clean_providers):.1%}); "
        f"signals {report.signals or '{}'}"
    )
    Alert.objects.all().delete()

    generate(providers=150, offers=3000, sessions=3000, seed=args.seed, today=NOW.date())
    sessions = {}
    for s in Session.objects.order_by("offer_id", "start_date"):
        sessions.setdefault(s.offer_id, s)
    offers = [o for o in Offer.objects.filter(is_published=True).select_related("training") if o.pk in sessions]
    for o in offers:
        o._bench_session = sessions[o.pk]
    by_provider: dict[int, list[Any]] = defaultdict(list)
    for o in offers:
        by_provider[o.training.provider_id].append(o)
    print(
        f"Scenario world: {len(by_provider)} providers with {len(offers)} published offers "
        f"(built in {time.perf_counter() - t0:.0f} s)"
    )

    w = World(rng)
    offer_scenarios(w, offers)
    history_holders = _holders(2000, "hh")
    provider_scenarios(w, by_provider, history_holders)
    Dossier.objects.bulk_create(w.dossiers, batch_size=5000)
    rep = nightly()
    print(f"Nightly on the scenario world: {rep.providers} providers, {rep.offers} offers, {rep.seconds:.1f} s")

    w.dossiers = []
    holder_scenarios(w, offers, args.holders)
    Dossier.objects.bulk_create(w.dossiers, batch_size=5000)
    ids = {id(d): d.pk for d in w.dossiers}
    for rule, subjects in list(w.truth.items()):  # labels were taken before the dossiers had ids
        w.truth[rule] = {(t, ids.get(s, s) if t == "dossier" else s) for t, s in subjects}
    ActivityEvent.objects.bulk_create(w.events, batch_size=5000)
    ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                user_id=u, kind="request", ip=ip, device=dev, at=at, dossier_id=d.pk, provider_id=d.provider_id
            )
            for at, d, u, ip, dev in w.purchases
        ],
        batch_size=5000,
    )
    office_counts: dict[int, int] = defaultdict(int)  # providers whose office sent several holders' requests
    for _, d, *_ in w.purchases:
        if getattr(d, "_bench_office", None):
            office_counts[d._bench_office] += 1
    for pid, c in office_counts.items():
        if c >= 3:
            w.label("provider.same_ip_requests", "provider", pid)

    timings, cpu = [], []
    for at, d, _user, ip, dev in sorted(w.purchases, key=lambda x: x[0]):
        clock.freeze(at)
        s, c = time.perf_counter(), time.process_time()
        score_purchase(d.pk, "request", ip=ip, device=dev, at=at)
        timings.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    clock.freeze(NOW)
    timings.sort()
    cpu.sort()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Scoring one purchase ({len(timings)} purchases, load average {load:.1f} on {os.cpu_count()} CPUs): "
        f"wall mean {statistics.mean(timings):.1f} ms, median {timings[len(timings) // 2]:.1f} ms, "
        f"p95 {timings[int(0.95 * len(timings))]:.1f} ms; this process's CPU mean {statistics.mean(cpu):.1f} ms, "
        f"p95 {cpu[int(0.95 * len(cpu))]:.1f} ms"
    )

    found: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for a in Alert.objects.all():
        found[a.rule].add((a.subject_type, a.subject_id))
    _ratings_scenarios(rng, w, found)
    print(f"\n{'rule':42} {'labels':>6} {'alerts':>6} {'precision':>9} {'recall':>7}")
    tp_all = fp_all = fn_all = 0
    for rule in sorted(set(w.truth) | set(found)):
        t, f = w.truth.get(rule, set()), found.get(rule, set())
        tp, fp, fn = len(t & f), len(f - t), len(t - f)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{rule:42} {len(t):6} {len(f):6} {prec:9.2f} {rec:7.2f}")
    print(
        f"{'overall':42} {tp_all + fn_all:6} {tp_all + fp_all:6} {tp_all / max(1, tp_all + fp_all):9.2f} "
        f"{tp_all / max(1, tp_all + fn_all):7.2f}"
    )

    _nightly_at_scale(args.dossiers, connection)
    clock.unfreeze()
    return 0


def _ratings_scenarios(rng: random.Random, w: World, found: dict[str, set[tuple[str, int]]]) -> None:
    """reviews.Rating may not exist on this branch: the rule runs on generated rating lists (same selector shape)."""
    from opencpf.trust import ruleset
    from opencpf.trust.rules import ProviderFacts, ratings_pattern

    p = ruleset.current(NOW.date())["ratings"]
    for i in range(400):
        n = rng.randint(5, 60)
        kind = rng.random()
        if kind < 0.1:  # fake: all top marks
            ratings = [(NOW - dt.timedelta(days=rng.uniform(0, 300)), 5.0) for _ in range(n)]
        elif kind < 0.2:  # fake: a burst
            start = NOW - dt.timedelta(days=rng.uniform(2, 300))
            ratings = [(start + dt.timedelta(hours=rng.uniform(0, 30)), rng.choice([4.0, 4.6, 5.0])) for _ in range(n)]
        else:
            ratings = [
                (NOW - dt.timedelta(days=rng.uniform(0, 300)), min(5.0, max(1.0, rng.gauss(3.9, 0.7))))
                for _ in range(n)
            ]
        sid = 10_000_000 + i
        if kind < 0.2 and n >= p["min_ratings"]:
            w.label("provider.ratings_pattern", "provider", sid)
        if ratings_pattern(ProviderFacts(provider_id=sid, name="x", ratings=ratings), p) is not None:
            found["provider.ratings_pattern"].add(("provider", sid))


def _nightly_at_scale(n: int, connection: Any) -> None:
    """N dossiers inserted set-based (INSERT ... SELECT generate_series), then the nightly batch timed."""
    from opencpf.enrolment.models import Dossier
    from opencpf.trust.scoring import nightly

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM identity_holder")
        n_holders = cur.fetchone()[0]
        cur.execute(
            "CREATE TEMP TABLE bench_offers AS SELECT row_number() OVER (ORDER BY o.id) AS rn, o.id AS offer_id, "
            "t.id AS training_id, t.provider_id, s.id AS session_id, s.start_date, s.end_date, o.price_incl_tax_cents "
            "FROM catalogue_offer o JOIN catalogue_training t ON t.id = o.training_id "
            "JOIN LATERAL (SELECT id, start_date, end_date FROM catalogue_session WHERE offer_id = o.id LIMIT 1) s ON true"
        )
        cur.execute("SELECT count(*) FROM bench_offers")
        n_offers = cur.fetchone()[0]
        cur.execute(
            "CREATE TEMP TABLE bench_holders AS SELECT row_number() OVER (ORDER BY id) AS rn, id FROM identity_holder"
        )
        explicit = {
            "number": "'BN' || lpad(i::text, 12, '0')",
            "holder_id": "h.id",
            "provider_id": "o.provider_id",
            "training_id": "o.training_id",
            "offer_id": "o.offer_id",
            "session_id": "o.session_id",
            "start_date": "o.start_date",
            "end_date": "greatest(o.start_date, o.end_date)",
            "price_cents": "o.price_incl_tax_cents",
            "requested_at": "now() - (random() * 400) * interval '1 day'",
            "accepted_at": "now() - (random() * 390) * interval '1 day'",
            "state": "(ARRAY['serviceDoneValidated','serviceDoneValidated','serviceDoneValidated','canceledByAttendee',"
            "'inTraining','canceledByAttendeeNotRealized'])[1 + (i %% 6)]",
            "completion_rate_bp": "CASE WHEN i %% 7 = 0 THEN 5000 ELSE 10000 END",
        }
        cols, exprs, params = [], [], []
        for f in Dossier._meta.concrete_fields:
            if f.primary_key:
                continue
            cols.append(f.column)
            if f.name in explicit or f.attname in explicit:
                exprs.append(explicit.get(f.name) or explicit[f.attname])
            elif f.null:
                exprs.append("NULL")
            else:
                exprs.append("%s")
                params.append(f.get_default())
        started = time.perf_counter()
        cur.execute(
            f"INSERT INTO enrolment_dossier ({', '.join(cols)}) SELECT {', '.join(exprs)} "  # nosec B608 - columns from the model
            "FROM generate_series(1, %s) AS i "
            "JOIN bench_offers o ON o.rn = 1 + (i %% %s) JOIN bench_holders h ON h.rn = 1 + (i %% %s)",
            [*params, n, n_offers, n_holders],
        )
        cur.execute("ANALYZE enrolment_dossier")
        inserted = time.perf_counter() - started
    cur_total = Dossier.objects.count()
    rep = nightly()
    print(
        f"\nNightly batch on {cur_total:,} dossiers ({n:,} bulk-inserted in {inserted:.0f} s): "
        f"{rep.seconds:.1f} s for {rep.providers} providers and {rep.offers} offers ({rep.alerts} alerts)"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
