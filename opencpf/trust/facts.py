"""The facts the behaviour rules read, computed with a few indexed queries (purchase) or set-based aggregates
(nightly batch): no Python loop over dossiers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Min, Q, Sum

from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier
from opencpf.trust.models import ActivityEvent, ActivityKind
from opencpf.trust.rules import OfferFacts, ProviderFacts, PurchaseFacts

BUYING = (ActivityKind.ACTIVATION, ActivityKind.REQUEST, ActivityKind.ACCEPT)
CANCELLED = (DossierState.CANCELED_BY_ATTENDEE, DossierState.CANCELED_BY_ORGANISM)
NO_SHOW = (DossierState.CANCELED_BY_ATTENDEE_NOT_REALIZED,)
PARTIAL_BELOW_BP = 8000  # under 80 % of the hours the provider is paid by attendance


def purchase_facts(
    dossier_id: int, event: str, *, ip: str | None, device: str, at: dt.datetime, rs: Any
) -> PurchaseFacts | None:
    d = (
        Dossier.objects.select_related("holder__user", "provider")
        .only(
            "number",
            "requested_at",
            "provider__name",
            "holder__first_names",
            "holder__birth_name",
            "holder__usage_name",
            "holder__created_at",
            "holder__user__security_changed_at",
        )
        .filter(pk=dossier_id)
        .first()
    )
    if d is None:
        return None
    holder, user = d.holder, d.holder.user
    # One query over the activity log: the holder's own history, the recent activity of this IP or device, and the
    # recent requests sent to this provider from this IP (a BitmapOr of three indexes on PostgreSQL).
    none = Q(pk__in=[])
    since = at - dt.timedelta(hours=rs["shared_origin"]["window_hours"])
    psince = at - dt.timedelta(days=rs["provider_same_ip"]["window_days"])
    mine = Q(user_id=user.pk) & ~Q(dossier_id=dossier_id)
    by_ip, by_dev = (Q(ip=ip) if ip else none), (Q(device=device) if device else none)
    recent = (by_ip | by_dev) & Q(kind__in=BUYING, at__gte=since)
    same = Q(kind=ActivityKind.REQUEST, provider_id=d.provider_id, ip=ip, at__gte=psince) if ip else none
    agg = (
        ActivityEvent.objects.filter(at__lte=at)
        .filter(mine | recent | same)
        .aggregate(
            f_n=Count("id", filter=mine),
            f_ip=Count("id", filter=mine & by_ip),
            f_dev=Count("id", filter=mine & by_dev),
            f_activated=Min("at", filter=mine & Q(kind=ActivityKind.ACTIVATION)),
            f_on_ip=Count("user_id", distinct=True, filter=recent & by_ip),
            f_on_dev=Count("user_id", distinct=True, filter=recent & by_dev),
            f_same=Count("user_id", distinct=True, filter=same),
        )
    )
    activated = agg["f_activated"] or holder.created_at
    earlier = 1  # unless the account is minutes old, whether this is its first purchase does not matter
    if activated is not None and (at - activated) <= dt.timedelta(
        minutes=rs["first_purchase_after_activation"]["minutes"]
    ):
        earlier = Dossier.objects.filter(holder_id=holder.pk, requested_at__lt=d.requested_at).count()
    hist = {"n": agg["f_n"], "ip": agg["f_ip"], "dev": agg["f_dev"]}
    on_ip, on_dev, same_count = agg["f_on_ip"], agg["f_on_dev"], agg["f_same"]
    return PurchaseFacts(
        dossier_id=d.pk,
        dossier_number=d.number,
        event=event,
        holder_id=holder.pk,
        holder_label=f"{holder.first_names} {holder.usage_name or holder.birth_name}",
        provider_id=d.provider_id,
        provider_name=d.provider.name,
        at=at,
        ip=ip,
        device=device,
        security_changed_at=user.security_changed_at,
        activated_at=activated,
        earlier_dossiers=earlier,
        history=hist["n"],
        ip_seen=bool(hist["ip"]),
        device_seen=bool(hist["dev"]),
        accounts_on_ip=on_ip,
        accounts_on_device=on_dev,
        holders_to_provider_from_ip=same_count,
    )


# --- nightly ------------------------------------------------------------------------------------------------


def ratings_by_provider(since: dt.datetime) -> dict[int, list[tuple[dt.datetime, float]]]:
    """(time, mean of the five criteria) of each rating since a date, by provider."""
    from opencpf.reviews.enums import CRITERIA_NAMES
    from opencpf.reviews.models import Rating

    out: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
    rows = Rating.objects.filter(created_at__gte=since).values_list("provider_id", "created_at", *CRITERIA_NAMES)
    for provider_id, created_at, *scores in rows:
        out[provider_id].append((created_at, sum(scores) / len(scores)))
    return out


def reporters_by_provider(since: dt.datetime) -> dict[int, int]:
    """Distinct reporters per provider (an account, else an address, else the report itself)."""
    from opencpf.support.models import Report

    seen: dict[int, set[str]] = defaultdict(set)
    rows = Report.objects.filter(provider__isnull=False, created_at__gte=since).values_list(
        "provider_id", "reporter_id", "reporter_email", "ip", "reference"
    )
    for pid, uid, email, ip, ref in rows:
        seen[pid].add(f"u{uid}" if uid else (f"e{email.lower()}" if email else (f"i{ip}" if ip else f"r{ref}")))
    return {pid: len(s) for pid, s in seen.items()}


def provider_facts(*, now: dt.datetime, rs: Any) -> Iterator[ProviderFacts]:
    """One grouped scan of the dossiers (conditional aggregates), then the providers' own fields."""
    from opencpf.catalogue.models import Provider

    sp, oc, nv, hr, rt = (
        rs["dossier_spike"],
        rs["outcome_rates"],
        rs["new_provider_volume"],
        rs["holder_reports"],
        rs["ratings"],
    )
    rev = rs["revenue_vs_size"]
    recent = now - dt.timedelta(days=sp["recent_days"])
    base = recent - dt.timedelta(weeks=sp["baseline_weeks"])
    win = now - dt.timedelta(days=max(oc["window_days"], rev["window_days"]))
    newwin = now - dt.timedelta(days=nv["window_days"])
    accepted = Q(accepted_at__gte=win)
    rows = (
        Dossier.objects.filter(Q(requested_at__gte=min(base, newwin)) | accepted)
        .values("provider_id")
        .annotate(
            recent_new=Count("id", filter=Q(requested_at__gte=recent)),
            baseline_new=Count("id", filter=Q(requested_at__gte=base, requested_at__lt=recent)),
            window_new=Count("id", filter=Q(requested_at__gte=newwin)),
            revenue=Sum("price_cents", filter=Q(accepted_at__gte=now - dt.timedelta(days=rev["window_days"]))),
            accepted=Count("id", filter=accepted),
            cancelled=Count("id", filter=accepted & Q(state__in=CANCELLED)),
            no_show=Count("id", filter=accepted & Q(state__in=NO_SHOW)),
            exited=Count("id", filter=accepted & Q(exit_date__isnull=False)),
            partial=Count("id", filter=accepted & Q(completion_rate_bp__lt=PARTIAL_BELOW_BP)),
        )
        .order_by()
    )
    agg = {r["provider_id"]: r for r in rows}
    reports = reporters_by_provider(now - dt.timedelta(days=hr["window_days"]))
    ratings = ratings_by_provider(now - dt.timedelta(days=365))
    ids = set(agg) | set(reports) | set(ratings)
    providers = Provider.objects.filter(pk__in=ids).values_list("pk", "name", "headcount", "referenced_at")
    _ = rt
    for pid, name, headcount, referenced_at in providers.iterator(chunk_size=5000):
        a = agg.get(pid, {})
        yield ProviderFacts(
            provider_id=pid,
            name=name,
            headcount=headcount,
            referenced_at=referenced_at,
            recent_new=a.get("recent_new", 0),
            baseline_new=a.get("baseline_new", 0),
            revenue_cents=a.get("revenue") or 0,
            accepted=a.get("accepted", 0),
            cancelled=a.get("cancelled", 0),
            no_show=a.get("no_show", 0),
            exited=a.get("exited", 0),
            partial=a.get("partial", 0),
            window_new=a.get("window_new", 0),
            reporters=reports.get(pid, 0),
            ratings=tuple(ratings.get(pid, ())),
        )


def offer_facts(*, rs: Any) -> Iterator[OfferFacts]:
    """Published offers with their certification's 10th percentile of hours and median and MAD of the price per
    hour (numpy, one pass per certification)."""
    import numpy as np

    from opencpf.catalogue.models import Offer

    rows = list(
        Offer.objects.filter(is_published=True).values_list(
            "pk",
            "training__certification_id",
            "training__provider_id",
            "hours_total",
            "price_incl_tax_cents",
            "training__title",
            "training__provider__name",
            "city",
        )
    )
    if not rows:
        return
    groups: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r[1]].append(i)
    minimum = min(rs["short_hours"]["min_offers"], rs["price_outlier"]["min_offers"])
    for idx in groups.values():
        if len(idx) < minimum:
            continue
        hours = np.array([rows[i][3] for i in idx], dtype=float)
        hourly = np.array([rows[i][4] / max(1, rows[i][3]) for i in idx], dtype=float)
        p10 = float(np.percentile(hours, 10))
        mh = float(np.median(hourly))
        mad = float(np.median(np.abs(hourly - mh)))
        providers = len({rows[i][2] for i in idx})
        for i in idx:
            r = rows[i]
            yield OfferFacts(
                offer_id=r[0],
                label=f"{r[5]} – {r[6]} ({r[7] or 'à distance'})",
                provider_id=r[2],
                hours=r[3],
                price_cents=r[4],
                peers=len(idx),
                peer_providers=providers,
                p10_hours=p10,
                median_hourly=mh,
                mad_hourly=mad,
            )
