"""Reads of the reviews domain: public averages (per offer, per provider), published comments, the moderation queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet

from opencpf.reviews.enums import CRITERIA, CRITERIA_NAMES, CommentStatus
from opencpf.reviews.models import OfferRatingSummary, ProviderRatingSummary, Rating, RatingTotals


@dataclass(frozen=True)
class Summary:
    count: int
    average: float  # mean of the five criteria, 1-5
    criteria: tuple[tuple[str, float], ...]  # (label, average)


def _summary(row: RatingTotals | None) -> Summary | None:
    if row is None or not row.count:
        return None
    criteria = tuple((label, getattr(row, f"sum_{name}") / row.count) for name, label in CRITERIA)
    return Summary(row.count, sum(avg for _, avg in criteria) / len(criteria), criteria)


def offer_summary(offer_id: int) -> Summary | None:
    return _summary(OfferRatingSummary.objects.filter(offer_id=offer_id).first())


def provider_summary(provider_id: int) -> Summary | None:
    return _summary(ProviderRatingSummary.objects.filter(provider_id=provider_id).first())


_TOTAL = sum((F(f"sum_{name}") for name in CRITERIA_NAMES[1:]), F(f"sum_{CRITERIA_NAMES[0]}"))


def offer_averages(offer_ids: Iterable[int] | None = None, *, chunk: int = 5_000) -> dict[int, float]:
    """offer id -> average (1-5) of its ratings, for many offers at once (the search index build)."""
    qs = OfferRatingSummary.objects.filter(count__gt=0).annotate(total=_TOTAL).values_list("offer_id", "total", "count")
    found: dict[int, float] = {}
    if offer_ids is None:
        rows: Iterable[tuple[int, int, int]] = qs.iterator(chunk_size=20_000)
        found = {oid: total / (count * len(CRITERIA_NAMES)) for oid, total, count in rows}
        return found
    ids = sorted(set(offer_ids))
    if len(ids) > 4 * chunk:  # a large part of the catalogue: one scan is faster than many IN lists
        wanted = set(ids)
        return {oid: avg for oid, avg in offer_averages(None).items() if oid in wanted}
    for start in range(0, len(ids), chunk):
        for oid, total, count in qs.filter(offer_id__in=ids[start : start + chunk]):
            found[oid] = total / (count * len(CRITERIA_NAMES))
    return found


def published_comments(*, offer_id: int | None = None, provider_id: int | None = None, limit: int = 20) -> list[Rating]:
    qs = Rating.objects.filter(comment_status=CommentStatus.PUBLISHED)
    if offer_id is not None:
        qs = qs.filter(offer_id=offer_id)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    return list(qs.select_related("offer__training").order_by("-created_at", "-id")[:limit])


def moderation_queue() -> QuerySet[Rating]:
    """Held comments, oldest first."""
    return (
        Rating.objects.filter(comment_status=CommentStatus.PENDING)
        .select_related("offer__training", "provider")
        .order_by("created_at", "id")
    )


def rating_of_dossier(dossier_id: int) -> Rating | None:
    return Rating.objects.filter(dossier_id=dossier_id).first()


def offer_summaries_of_provider(provider_id: int, *, limit: int = 200) -> list[tuple[object, Summary]]:
    """(offer, summary) of the provider's rated offers, most rated first."""
    rows = (
        OfferRatingSummary.objects.filter(offer__training__provider_id=provider_id, count__gt=0)
        .select_related("offer__training")
        .order_by("-count", "offer_id")[:limit]
    )
    return [(row.offer, s) for row in rows if (s := _summary(row)) is not None]
