"""Writes of the reviews domain: a holder rates a training (once), agents moderate held comments.

A rating counts in the offer's and provider's averages at once (scores are not text); its comment is published
at once unless `moderation.screen_comment` holds it for an agent. Rating a declared service done validates it
(`enrolment.services.dossier_confirm_service_done`), unless a control is open on the dossier.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from opencpf.catalogue.signals import offers_changed
from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.enrolment import services as enrolment
from opencpf.enrolment.enums import AFTER_EXIT_STATES, DossierState
from opencpf.enrolment.exceptions import ControlOpen, DossierNotFound
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import UserKind
from opencpf.reviews.enums import CRITERIA_NAMES, MAX_SCORE, MIN_SCORE, CommentStatus
from opencpf.reviews.exceptions import (
    AlreadyRated,
    InvalidScores,
    ModerationNotAllowed,
    ModerationRefused,
    RatingNotAllowed,
    RatingNotFound,
    RatingTooEarly,
    ReasonRequired,
)
from opencpf.reviews.models import OfferRatingSummary, ProviderRatingSummary, Rating
from opencpf.reviews.moderation import screen_comment

logger = logging.getLogger(__name__)


def _clean_scores(scores: dict[str, Any]) -> dict[str, int]:
    if set(scores) != set(CRITERIA_NAMES):
        raise InvalidScores()
    clean: dict[str, int] = {}
    for name in CRITERIA_NAMES:
        value = scores[name]
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_SCORE <= value <= MAX_SCORE:
            raise InvalidScores()
        clean[name] = value
    return clean


def _add_to_summaries(rating: Rating) -> None:
    """Increment the offer's and the provider's totals (row created on first rating; concurrency-safe updates)."""
    increments = {"count": F("count") + 1, **{f"sum_{n}": F(f"sum_{n}") + getattr(rating, n) for n in CRITERIA_NAMES}}
    targets: list[tuple[Any, dict[str, Any]]] = [
        (OfferRatingSummary, {"offer_id": rating.offer_id}),
        (ProviderRatingSummary, {"provider_id": rating.provider_id}),
    ]
    for model, key in targets:
        model.objects.get_or_create(**key)
        model.objects.filter(**key).update(**increments)


def rating_submit(*, dossier_id: int, actor: Any, scores: dict[str, Any], comment: str = "") -> Rating:
    """The dossier's holder rates the training, once, after exit. Retrying the same rating returns it unchanged."""
    clean = _clean_scores(scores)
    comment = (comment or "").strip()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("holder").filter(pk=dossier_id).first()
        if dossier is None:
            raise DossierNotFound()
        if getattr(actor, "kind", None) != UserKind.HOLDER or dossier.holder.user_id != actor.pk:
            raise RatingNotAllowed()
        existing = Rating.objects.filter(dossier_id=dossier.pk).first()
        if existing is not None:
            if existing.scores == clean and existing.comment == comment:
                return existing
            raise AlreadyRated()
        if dossier.state not in AFTER_EXIT_STATES:
            raise RatingTooEarly()
        screened = screen_comment(comment) if comment else None
        if screened is None:
            status = CommentStatus.NONE
        else:
            status = CommentStatus.PENDING if screened.hold else CommentStatus.PUBLISHED
        rating = Rating.objects.create(
            dossier=dossier,
            offer_id=dossier.offer_id,
            provider_id=dossier.provider_id,
            comment=comment,
            comment_status=status,
            hold_reasons=" ; ".join(screened.reasons)[:500] if screened else "",
            created_at=clock.now(),
            **clean,
        )
        _add_to_summaries(rating)
        offers_changed([rating.offer_id])
        if dossier.state == DossierState.SERVICE_DONE_DECLARED:
            try:
                enrolment.dossier_confirm_service_done(dossier_id=dossier.pk, actor=actor)
            except ControlOpen:
                logger.info("Rating of dossier %s recorded; service done stays declared (control open)", dossier.pk)
        return rating


def agent_may_moderate(user: Any) -> bool:
    return (
        getattr(user, "kind", None) == UserKind.AGENT
        and user.is_active
        and bool(user.has_perm("reviews.moderate_rating"))
    )


def _moderate(*, rating_id: int, agent: Any, status: str, reason: str) -> Rating:
    if not agent_may_moderate(agent):
        raise ModerationNotAllowed()
    with transaction.atomic():
        rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
        if rating is None:
            raise RatingNotFound()
        if rating.comment_status == status:
            return rating  # the same decision again (double click): unchanged
        if rating.comment_status != CommentStatus.PENDING:
            raise ModerationRefused()
        rating.comment_status = status
        rating.moderated_by = agent
        rating.moderated_at = clock.now()
        rating.rejection_reason = reason[:300]
        rating.save(update_fields=["comment_status", "moderated_by", "moderated_at", "rejection_reason"])
        audit_record(
            action=f"reviews.comment_{'published' if status == CommentStatus.PUBLISHED else 'rejected'}",
            actor=agent,
            obj=rating,
            reason=reason,
        )
        return rating


def comment_publish(*, rating_id: int, agent: Any) -> Rating:
    """An agent publishes a held comment."""
    return _moderate(rating_id=rating_id, agent=agent, status=CommentStatus.PUBLISHED, reason="")


def comment_reject(*, rating_id: int, agent: Any, reason: str) -> Rating:
    """An agent rejects a held comment with a reason; the scores still count."""
    if not reason.strip():
        raise ReasonRequired()
    return _moderate(rating_id=rating_id, agent=agent, status=CommentStatus.REJECTED, reason=reason.strip())


def summaries_rebuild() -> tuple[int, int]:
    """Recompute every summary from the ratings (repair; the totals are normally kept by `rating_submit`)."""
    from django.db.models import Count, Sum

    aggregates = {"n": Count("id"), **{f"s_{n}": Sum(n) for n in CRITERIA_NAMES}}
    counts = []
    with transaction.atomic():
        targets: list[tuple[Any, str]] = [(OfferRatingSummary, "offer_id"), (ProviderRatingSummary, "provider_id")]
        for model, key in targets:
            model.objects.all().delete()
            rows = Rating.objects.values(key).annotate(**aggregates).order_by(key)
            model.objects.bulk_create(
                model(**{key: r[key], "count": r["n"], **{f"sum_{n}": r[f"s_{n}"] for n in CRITERIA_NAMES}})
                for r in rows
            )
            counts.append(len(rows))
    return counts[0], counts[1]
