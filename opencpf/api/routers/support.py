"""Support endpoints: holders' reports (public, rate-limited like the page) and disputes (holders and providers).

A report sent with a holder's bearer token is linked to that holder, and its dossier number must be one of theirs.
Disputes: a holder (bearer token) or a provider's staff (token or `X-API-Key`) opens a dispute on one of their
dossiers, reads it, and writes in it (multipart, optional PDF/JPEG/PNG file checked by content).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from opencpf.api.auth import provider_key_auth, user_auth
from opencpf.api.routers.enrolment import _actor
from opencpf.api.types import IsoDate
from opencpf.core.audit import client_ip
from opencpf.core.exceptions import NotFound
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.enrolment.selectors import dossier_for
from opencpf.identity.models import UserKind
from opencpf.support import disputes, selectors, services
from opencpf.support.exceptions import DisputeForbidden
from opencpf.support.models import Dispute

router = Router()


class ReportIn(Schema):
    kind: str = Field(description="cold_calling, scam, suspicious_provider, not_delivered, other")
    description: str = Field(max_length=5000)
    provider_siret: str = Field("", max_length=17)
    provider_name: str = Field("", max_length=250)
    caller_phone: str = Field("", max_length=20)
    dossier_reference: str = Field("", max_length=32)
    occurred_on: IsoDate | None = None
    reporter_email: str = Field("", max_length=254)


class ReportOut(Schema):
    reference: str
    kind: str
    status: str
    linked_to_holder: bool


@router.post(
    "/reports",
    response={201: ReportOut},
    auth=None,
    summary="Signaler une pratique abusive (public)",
    description="Limité à 10 signalements par heure et par adresse IP (429 au-delà). Avec le jeton d'un titulaire, "
    "le signalement lui est rattaché et le numéro de dossier doit être l'un des siens.",
)
def report_create(request: HttpRequest, payload: ReportIn) -> Any:
    reporter = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        reporter = user_auth.authenticate(request, header.removeprefix("Bearer ").strip())
        if reporter is None or reporter.kind != UserKind.HOLDER:
            reporter = None
    if reporter is not None and payload.dossier_reference.strip():
        try:
            dossier_for(reporter, number=payload.dossier_reference.strip())
        except DossierNotFound as exc:
            raise NotFound("Ce numéro de dossier ne correspond à aucun de vos dossiers.") from exc
    report = services.report_submit(reporter=reporter, ip=client_ip(request), **payload.dict())
    return Status(
        201,
        {
            "reference": report.reference,
            "kind": report.kind,
            "status": report.status,
            "linked_to_holder": report.reporter_id is not None,
        },
    )


class DisputeOpenIn(Schema):
    dossier: str = Field(max_length=16)
    reason: str = Field(description="not_delivered, different, quality, attendance, cancellation, billing, other")
    message: str = Field(max_length=5000)


class DisputeMessageOut(Schema):
    side: str
    body: str
    created_at: dt.datetime
    attachment_type: str
    attachment_size: int


class DisputeEventOut(Schema):
    at: dt.datetime
    action: str
    note: str


class DisputeOut(Schema):
    reference: str
    dossier: str
    reason: str
    status: str
    opened_by_side: str
    exchange_until: dt.date
    decide_by: dt.date
    refunded_cents: int
    outcome: str


class DisputeDetailOut(DisputeOut):
    messages: list[DisputeMessageOut]
    events: list[DisputeEventOut]


def _party(request: HttpRequest) -> Any:
    user = _actor(request)
    if getattr(user, "kind", None) not in (UserKind.HOLDER, UserKind.PROVIDER):
        raise DisputeForbidden("Ces services sont réservés aux titulaires et aux organismes.")
    return user


def _out(d: Dispute, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": d.reference,
        "dossier": d.dossier.number,
        "reason": d.reason,
        "status": d.status,
        "opened_by_side": d.opened_by_side,
        "exchange_until": d.exchange_until,
        "decide_by": d.decide_by,
        "refunded_cents": d.refunded_cents,
        "outcome": d.outcome,
    }
    if detail:
        data["messages"] = [
            {
                "side": m.side,
                "body": m.body,
                "created_at": m.created_at,
                "attachment_type": m.attachment_type,
                "attachment_size": m.attachment_size,
            }
            for m in d.messages.all()
        ]
        data["events"] = [{"at": e.at, "action": e.action, "note": e.note} for e in d.events.all()]
    return data


def _get(request: HttpRequest, reference: str) -> Dispute:
    found = selectors.dispute_for(_party(request), reference)
    if found is None:
        raise NotFound("Ce litige est introuvable.")
    return found


disputes_router = Router(auth=[user_auth, provider_key_auth, django_auth])


@disputes_router.get("/disputes", response=list[DisputeOut], summary="Mes litiges (titulaire) ou ceux de mon organisme")
def dispute_list(request: HttpRequest) -> Any:
    return [_out(d) for d in selectors.disputes_for(_party(request))[:200]]


@disputes_router.post("/disputes", response={201: DisputeDetailOut}, summary="Ouvrir un litige sur un dossier")
def dispute_open(request: HttpRequest, payload: DisputeOpenIn) -> Any:
    user = _party(request)
    created = disputes.dispute_open(
        actor=user, dossier_number=payload.dossier, reason=payload.reason, body=payload.message
    )
    return Status(201, _out(selectors.dispute_for(user, created.reference), detail=True))  # type: ignore[arg-type]


@disputes_router.get(
    "/disputes/{reference}", response=DisputeDetailOut, summary="Un litige, ses échanges et son historique"
)
def dispute_detail(request: HttpRequest, reference: str) -> Any:
    return _out(_get(request, reference), detail=True)


@disputes_router.post(
    "/disputes/{reference}/messages",
    response={201: DisputeDetailOut},
    summary="Écrire dans un litige (multipart : message, pièce jointe facultative)",
    description="Pièce jointe : PDF, JPEG ou PNG (vérifié sur le contenu), 5 Mo au plus.",
)
def dispute_message(
    request: HttpRequest,
    reference: str,
    message: str = Form(..., max_length=5000),
    attachment: UploadedFile | None = File(None),  # noqa: B008 (django-ninja's parameter declaration)
) -> Any:
    dispute = _get(request, reference)
    user = _party(request)
    disputes.dispute_post_message(dispute_id=dispute.pk, actor=user, body=message, upload=attachment)
    return Status(201, _out(selectors.dispute_for(user, reference), detail=True))  # type: ignore[arg-type]
