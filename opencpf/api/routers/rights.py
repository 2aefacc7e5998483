"""Rights: the holder's statement (session), funders' top-ups (API key in X-API-Key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import APIKeyHeader

from opencpf.api.auth import holder_auth
from opencpf.api.openapi import IDEMPOTENCY_HEADER
from opencpf.core.exceptions import DomainError, PermissionDenied
from opencpf.rights import selectors, services
from opencpf.rights.models import Funder

router = Router()


class FunderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Funder | None:
        if not key:
            return None
        return Funder.objects.filter(api_key_hash=services.api_key_hash(key)).exclude(api_key_hash="").first()


class LineOut(Schema):
    date: dt.datetime
    libelle: str
    compte: str
    montant_centimes: int
    solde_centimes: int


class StatementOut(Schema):
    droits_centimes: int
    dif_centimes: int
    abondements_centimes: int
    total_centimes: int
    reserve_centimes: int
    mouvements: list[LineOut]


class TopupIn(Schema):
    nir: str = Field(..., description="NIR du titulaire (15 caractères) ; jamais dans l'URL")
    nom_naissance: str = Field(..., max_length=150)
    montant_centimes: int | None = Field(None, gt=0, description="Absent pour l'abondement correctif")
    certification: str = Field("", max_length=20, description="Code RNCP/RS pour un abondement fléché")
    correctif: bool = False


class TopupOut(Schema):
    mouvement: int
    montant_centimes: int
    deja_enregistre: bool


@router.get("/statement", response=StatementOut, auth=holder_auth, summary="Mes droits et mes mouvements")
def statement(request: HttpRequest) -> dict[str, Any]:
    holder = getattr(request.user, "holder", None)
    if holder is None:
        raise PermissionDenied("Réservé aux titulaires.")
    b = selectors.balances(nir_hash=holder.nir_hash)
    return {
        "droits_centimes": b.rights_cents,
        "dif_centimes": b.dif_cents,
        "abondements_centimes": b.topup_cents,
        "total_centimes": b.total_cents,
        "reserve_centimes": b.held_cents,
        "mouvements": [
            {
                "date": line.posted_at,
                "libelle": line.label,
                "compte": line.account_label,
                "montant_centimes": line.amount_cents,
                "solde_centimes": line.balance_cents,
            }
            for line in selectors.statement(nir_hash=holder.nir_hash)
        ],
    }


@router.post(
    "/topups",
    response={201: TopupOut, 200: TopupOut},
    auth=FunderKey(),
    summary="Abonder le compte d'un titulaire (financeurs)",
    description="L'en-tête Idempotency-Key est obligatoire : la même clé ne crédite jamais deux fois.",
    openapi_extra={"parameters": [dict(IDEMPOTENCY_HEADER, required=True)]},
)
def topup(request: HttpRequest, payload: TopupIn) -> Status[dict[str, Any]]:
    funder: Funder = request.auth  # type: ignore[attr-defined]
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise DomainError("L'en-tête Idempotency-Key est obligatoire.", code="idempotency_key_required")
    txn, created = services.topup_add(
        funder=funder,
        nir=payload.nir,
        birth_name=payload.nom_naissance,
        amount_cents=payload.montant_centimes,
        certification_code=payload.certification,
        corrective=payload.correctif,
        idempotency_key=f"api:{key}",
    )
    return Status(
        201 if created else 200,
        {"mouvement": txn.pk, "montant_centimes": txn.amount_cents, "deja_enregistre": not created},
    )
