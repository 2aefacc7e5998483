"""Catalogue API for providers' software: offers and sessions of the caller's provider (header X-API-Key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from opencpf.api.auth import provider_key_auth
from opencpf.api.pagination import PagePagination
from opencpf.api.types import IsoDate
from opencpf.catalogue import selectors, services
from opencpf.catalogue.lheo.importer import import_lheo_bytes
from opencpf.catalogue.models import Certification, Modality, Offer, Provider, Session
from opencpf.catalogue.rules import offer_publication_problems

router = Router()


# Providers' software authenticates with the provider's API key (managed in identity).
provider_key = provider_key_auth


def _provider(request: HttpRequest) -> Provider:
    return request.auth  # type: ignore[attr-defined,return-value]


def _actor(request: HttpRequest) -> Any:
    key = getattr(request, "provider_api_key", None)
    return key.created_by if key is not None else None


class TrainingIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    objectives: str = ""
    content: str = ""
    expected_results: str = ""
    prerequisites: str = ""
    has_prerequisites: bool = False
    formacode_codes: list[str] = []
    nsf_codes: list[str] = []
    rome_codes: list[str] = []
    entry_level: int | None = None
    exit_level: int | None = None


class OfferFieldsIn(Schema):
    modality: Modality = Modality.IN_PERSON
    address: str = ""
    postcode: str = Field("", max_length=5)
    city: str = ""
    insee_code: str = Field("", max_length=5)
    hours_total: int = Field(..., ge=0)
    hours_centre: int = Field(0, ge=0)
    hours_company: int = Field(0, ge=0)
    price_incl_tax_cents: int = Field(..., ge=0, description="Prix TTC en centimes d'euro")
    price_excl_tax_cents: int = Field(..., ge=0, description="Prix HT en centimes d'euro")
    disability_access: bool = True
    disability_details: str = ""
    contact_email: str = ""
    contact_phone: str = ""


class OfferCreateIn(Schema):
    certification_code: str = Field(..., description="RNCP12345 ou RS1234")
    training_reference: str = Field(..., min_length=1, max_length=64)
    offer_reference: str = Field(..., min_length=1, max_length=64)
    training: TrainingIn
    offer: OfferFieldsIn
    publish: bool = False


class TrainingPatchIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    objectives: str | None = None
    content: str | None = None
    expected_results: str | None = None
    prerequisites: str | None = None
    has_prerequisites: bool | None = None
    formacode_codes: list[str] | None = None
    nsf_codes: list[str] | None = None
    rome_codes: list[str] | None = None
    entry_level: int | None = Field(None, ge=0, le=13)
    exit_level: int | None = Field(None, ge=0, le=13)


class OfferFieldsPatchIn(Schema):
    modality: Modality | None = None
    address: str | None = None
    postcode: str | None = Field(None, max_length=5)
    city: str | None = None
    insee_code: str | None = Field(None, max_length=5)
    hours_total: int | None = Field(None, ge=0)
    hours_centre: int | None = Field(None, ge=0)
    hours_company: int | None = Field(None, ge=0)
    price_incl_tax_cents: int | None = Field(None, ge=0)
    price_excl_tax_cents: int | None = Field(None, ge=0)
    disability_access: bool | None = None
    disability_details: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class OfferPatchIn(Schema):
    """Only the fields sent are changed."""

    certification_code: str | None = None
    training: TrainingPatchIn | None = None
    offer: OfferFieldsPatchIn | None = None


class SessionIn(Schema):
    reference: str = Field(..., min_length=1, max_length=64)
    start_date: IsoDate
    end_date: IsoDate
    is_recruiting: bool = True
    capacity: int | None = Field(None, ge=0)


class SessionPatchIn(Schema):
    """Only the fields sent are changed; null leaves a date or `is_recruiting` as it is, and makes the capacity
    unlimited."""

    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    is_recruiting: bool | None = None
    capacity: int | None = Field(None, ge=0)


class SessionDuplicateIn(Schema):
    start_date: IsoDate


class SessionOut(Schema):
    id: int
    reference: str
    start_date: dt.date
    end_date: dt.date
    is_recruiting: bool
    capacity: int | None


class OfferOut(Schema):
    id: int
    reference: str
    training_reference: str
    title: str
    certification_code: str
    modality: str
    address: str
    postcode: str
    city: str
    insee_code: str
    latitude: float | None
    longitude: float | None
    hours_total: int
    hours_centre: int
    hours_company: int
    price_incl_tax_cents: int
    price_excl_tax_cents: int
    disability_access: bool
    is_published: bool
    unpublished_reason: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_training_reference(obj: Offer) -> str:
        return obj.training.reference

    @staticmethod
    def resolve_title(obj: Offer) -> str:
        return obj.training.title

    @staticmethod
    def resolve_certification_code(obj: Offer) -> str:
        return obj.training.certification.code


class OfferDetailOut(OfferOut):
    publication_problems: list[str]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_publication_problems(obj: Offer) -> list[str]:
        return [] if obj.is_published else offer_publication_problems(obj)

    @staticmethod
    def resolve_sessions(obj: Offer) -> list[Session]:
        return list(selectors.offer_sessions(obj))


class ChangeOut(Schema):
    at: dt.datetime
    actor_label: str
    source: str
    action: str
    changes: dict[str, Any]
    reason: str


class LheoReportOut(Schema):
    version: str
    formations: int
    imported: int
    offers_created: int
    offers_updated: int
    sessions_created: int
    published: int
    rejected: dict[str, list[str]]
    unpublished: dict[str, list[str]]


class CertificationOut(Schema):
    code: str
    kind: str
    title: str
    level: int | None
    is_active: bool
    valid_until: dt.date | None


def _detail(offer: Offer) -> Offer:
    return offer


@router.get("/offers", response=list[OfferOut], auth=provider_key, summary="Offres de l'organisme (filtres)")
@paginate(PagePagination)
def offers_list(
    request: HttpRequest,
    q: str = "",
    published: bool | None = None,
    modality: str = "",
    certification: str = "",
    city: str = "",
) -> Any:
    return selectors.provider_offers(
        _provider(request), q=q, published=published, modality=modality, certification=certification, city=city
    )


@router.post("/offers", response={201: OfferDetailOut}, auth=provider_key, summary="Créer une offre")
def offers_create(request: HttpRequest, payload: OfferCreateIn) -> Any:
    offer = services.offer_create(
        provider=_provider(request),
        actor=_actor(request),
        certification=services.certification_by_code(payload.certification_code),
        training_reference=payload.training_reference,
        offer_reference=payload.offer_reference,
        training=payload.training.dict(),
        offer={k: str(v) if k == "modality" else v for k, v in payload.offer.dict().items()},
        publish=payload.publish,
        source="api",
    )
    return Status(201, _detail(selectors.offer_for_provider(_provider(request), offer.pk)))


@router.get("/offers/{offer_id}", response=OfferDetailOut, auth=provider_key, summary="Détail d'une offre")
def offers_get(request: HttpRequest, offer_id: int) -> Any:
    return _detail(selectors.offer_for_provider(_provider(request), offer_id))


@router.patch("/offers/{offer_id}", response=OfferDetailOut, auth=provider_key, summary="Modifier une offre")
def offers_patch(request: HttpRequest, offer_id: int, payload: OfferPatchIn) -> Any:
    offer = selectors.offer_for_provider(_provider(request), offer_id)
    cert = services.certification_by_code(payload.certification_code) if payload.certification_code else None
    training = payload.training.dict(exclude_unset=True) if payload.training else None
    fields = payload.offer.dict(exclude_unset=True) if payload.offer else None
    if fields and "modality" in fields:
        fields["modality"] = str(fields["modality"])
    services.offer_update(
        offer=offer,
        actor=_actor(request),
        training={k: v for k, v in (training or {}).items() if v is not None or k in ("entry_level", "exit_level")},
        fields={k: v for k, v in (fields or {}).items() if v is not None},
        certification=cert,
        source="api",
    )
    return _detail(selectors.offer_for_provider(_provider(request), offer_id))


@router.post("/offers/{offer_id}/publish", response=OfferDetailOut, auth=provider_key, summary="Publier une offre")
def offers_publish(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offer_for_provider(_provider(request), offer_id)
    services.offer_publish(offer=offer, actor=_actor(request), source="api")
    return _detail(selectors.offer_for_provider(_provider(request), offer_id))


@router.post("/offers/{offer_id}/unpublish", response=OfferDetailOut, auth=provider_key, summary="Dépublier une offre")
def offers_unpublish(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offer_for_provider(_provider(request), offer_id)
    services.offer_unpublish(offer=offer, actor=_actor(request), source="api")
    return _detail(selectors.offer_for_provider(_provider(request), offer_id))


@router.post(
    "/offers/{offer_id}/duplicate", response={201: OfferDetailOut}, auth=provider_key, summary="Dupliquer une offre"
)
def offers_duplicate(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offer_for_provider(_provider(request), offer_id)
    copy = services.offer_duplicate(offer=offer, actor=_actor(request), source="api")
    return Status(201, _detail(selectors.offer_for_provider(_provider(request), copy.pk)))


@router.get("/offers/{offer_id}/changes", response=list[ChangeOut], auth=provider_key, summary="Historique d'une offre")
def offers_changes(request: HttpRequest, offer_id: int) -> Any:
    return selectors.offer_history(selectors.offer_for_provider(_provider(request), offer_id))


@router.get("/offers/{offer_id}/sessions", response=list[SessionOut], auth=provider_key, summary="Sessions d'une offre")
def sessions_list(request: HttpRequest, offer_id: int) -> Any:
    return selectors.offer_sessions(selectors.offer_for_provider(_provider(request), offer_id))


@router.post("/offers/{offer_id}/sessions", response={201: SessionOut}, auth=provider_key, summary="Créer une session")
def sessions_create(request: HttpRequest, offer_id: int, payload: SessionIn) -> Any:
    offer = selectors.offer_for_provider(_provider(request), offer_id)
    data = payload.dict()
    session = services.session_create(offer=offer, actor=_actor(request), source="api", **data)
    return Status(201, session)


@router.patch("/sessions/{session_id}", response=SessionOut, auth=provider_key, summary="Modifier une session")
def sessions_patch(request: HttpRequest, session_id: int, payload: SessionPatchIn) -> Session:
    session = selectors.session_for_provider(_provider(request), session_id)
    # A null date reached the model and failed comparing dates (500), found by the stateful HTTP fuzz.
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "capacity"}
    return services.session_update(session=session, actor=_actor(request), source="api", **fields)


@router.post(
    "/sessions/{session_id}/duplicate", response={201: SessionOut}, auth=provider_key, summary="Dupliquer une session"
)
def sessions_duplicate(request: HttpRequest, session_id: int, payload: SessionDuplicateIn) -> Any:
    session = selectors.session_for_provider(_provider(request), session_id)
    return Status(
        201,
        services.session_duplicate(session=session, actor=_actor(request), start_date=payload.start_date, source="api"),
    )


@router.post(
    "/lheo",
    response={200: LheoReportOut, 422: LheoReportOut},
    auth=provider_key,
    summary="Déposer un fichier LHEO 2.2 ou 2.3 (corps XML)",
)
def lheo_upload(request: HttpRequest, partial: bool = False) -> Any:
    report = import_lheo_bytes(
        request.body, partial=partial, scope_provider=_provider(request), actor=_actor(request), create_providers=False
    )
    return Status(422 if report.rejected and not partial else 200, report)


@router.get("/certifications", response=list[CertificationOut], auth=None, summary="Rechercher une certification")
@paginate(PagePagination)
def certifications(request: HttpRequest, q: str = "", active: bool | None = None) -> Any:
    qs = Certification.objects.order_by("code")
    if q:
        qs = qs.filter(code__iexact=q.strip()) | qs.filter(title__icontains=q.strip())
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs
