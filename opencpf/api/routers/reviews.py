"""Ratings: the holder rates a training after exit (mobile app or web session); public averages of an offer.

POST honours `Idempotency-Key` (middleware); sending the same rating again returns it unchanged.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from opencpf.api.auth import holder_auth
from opencpf.catalogue.models import Offer
from opencpf.core.exceptions import NotFound
from opencpf.enrolment import selectors as enrolment
from opencpf.reviews import selectors, services
from opencpf.reviews.enums import CRITERIA_NAMES

router = Router()


class RatingIn(Schema):
    accompagnement: int = Field(..., ge=1, le=5)
    moyens: int = Field(..., ge=1, le=5)
    encadrants: int = Field(..., ge=1, le=5)
    accueil: int = Field(..., ge=1, le=5)
    contenu: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class RatingOut(Schema):
    dossier_number: str
    accompagnement: int
    moyens: int
    encadrants: int
    accueil: int
    contenu: int
    comment: str
    comment_status: str = Field(description="'' sans commentaire, pending, published ou rejected")
    created_at: dt.datetime
    dossier_state: str


class CriterionOut(Schema):
    label: str
    average: float


class SummaryOut(Schema):
    offer_id: int
    count: int
    average: float | None
    criteria: list[CriterionOut]
    comments: list[str]


@router.post(
    "/dossiers/{number}/evaluation",
    response={201: RatingOut},
    auth=holder_auth,
    summary="Noter la formation après la sortie (titulaire du dossier)",
)
def rating_submit(request: HttpRequest, number: str, payload: RatingIn) -> Any:
    dossier = enrolment.dossier_for(request.user, number=number)
    scores = {name: getattr(payload, name) for name in CRITERIA_NAMES}
    rating = services.rating_submit(dossier_id=dossier.pk, actor=request.user, scores=scores, comment=payload.comment)
    dossier.refresh_from_db()
    return Status(
        201,
        {
            **rating.scores,
            "dossier_number": dossier.number,
            "comment": rating.comment,
            "comment_status": rating.comment_status,
            "created_at": rating.created_at,
            "dossier_state": dossier.state,
        },
    )


@router.get("/offres/{offer_id}/evaluations", response=SummaryOut, summary="Notes moyennes et avis publiés d'une offre")
def offer_ratings(request: HttpRequest, offer_id: int) -> Any:
    if not Offer.objects.filter(pk=offer_id, is_published=True).exists():
        raise NotFound("Cette offre est introuvable.")
    summary = selectors.offer_summary(offer_id)
    return {
        "offer_id": offer_id,
        "count": summary.count if summary else 0,
        "average": round(summary.average, 2) if summary else None,
        "criteria": [
            {"label": label, "average": round(avg, 2)} for label, avg in (summary.criteria if summary else ())
        ],
        "comments": [r.comment for r in selectors.published_comments(offer_id=offer_id)],
    }
