"""Controls endpoints for providers' software (provider API key): the provider's controls, with their state,
deadline and the proofs asked, and its answer with files (multipart, the portal's service `control_answer`).

A control of another provider is answered 404 (`control_not_found`), as one that does not exist. The answer is
logged under the staff member who created the key (who must still be a member); `Idempotency-Key` honoured.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from opencpf.api.auth import provider_key_auth
from opencpf.api.routers.enrolment import _actor
from opencpf.trust.controls import MAX_PROOFS_PER_ANSWER, control_answer
from opencpf.trust.exceptions import ControlNotFound
from opencpf.trust.models import Control, ProofKind

router = Router(auth=provider_key_auth)


class ProviderControlProofOut(Schema):
    kind: str = Field(description="attendance, certificate, invoice, other")
    original_name: str
    size: int = Field(description="Taille en octets")
    content_type: str
    uploaded_at: dt.datetime


class ProviderControlOut(Schema):
    reference: str
    status: str = Field(
        description="awaiting (justificatifs attendus), unanswered (date limite dépassée sans réponse : le "
        "contrôleur va trancher, une réponse reste recevable), answered (justificatifs reçus), closed (clos)"
    )
    scope: str = Field(description="provider (l'organisme) ou dossiers (le service fait de certains dossiers)")
    reason: str
    proofs_requested: str
    deadline: dt.date = Field(description="Date limite de réponse (incluse)")
    opened_at: dt.datetime
    reminded_at: dt.datetime | None = Field(description="Relance envoyée avant la date limite")
    lapsed_at: dt.datetime | None = Field(description="Date limite constatée dépassée sans réponse")
    dossiers: list[str] = Field(description="Numéros des dossiers contrôlés (paiement suspendu jusqu'à la décision)")
    answer: str
    answered_at: dt.datetime | None
    proofs: list[ProviderControlProofOut]
    outcome: str = Field(description="Vide tant que le contrôle n'est pas clos ; compliant ou non_compliant")
    decision_reason: str
    decided_at: dt.datetime | None


def _controls(request: HttpRequest) -> Any:
    return Control.objects.filter(provider=request.provider).prefetch_related(  # type: ignore[attr-defined]
        "dossiers", "proofs"
    )


def _out(c: Control) -> dict[str, Any]:
    data = {name: getattr(c, name) for name in ProviderControlOut.model_fields if name not in ("dossiers", "proofs")}
    data["dossiers"] = sorted(d.number for d in c.dossiers.all())
    data["proofs"] = [
        {
            "kind": p.kind,
            "original_name": p.original_name,
            "size": p.size,
            "content_type": p.content_type,
            "uploaded_at": p.uploaded_at,
        }
        for p in c.proofs.all()
    ]
    return data


def _get(request: HttpRequest, reference: str) -> Control:
    found = _controls(request).filter(reference=reference).first()
    if found is None:
        raise ControlNotFound()
    return found  # type: ignore[no-any-return]


@router.get(
    "/provider/controls",
    response=list[ProviderControlOut],
    summary="Contrôles de l'organisme (état, date limite, justificatifs demandés)",
    description="Les 200 plus récents d'abord.",
)
def provider_controls(request: HttpRequest) -> Any:
    return [_out(c) for c in _controls(request).order_by("-opened_at", "-id")[:200]]


@router.get("/provider/controls/{reference}", response=ProviderControlOut, summary="Un contrôle de l'organisme")
def provider_control(request: HttpRequest, reference: str) -> Any:
    return _out(_get(request, reference))


@router.post(
    "/provider/controls/{reference}/answer",
    response={201: ProviderControlOut},
    summary="Répondre à un contrôle (multipart : réponse écrite, justificatifs)",
    description=f"Justificatifs : PDF, JPEG ou PNG (reconnus par leur contenu), 10 Mo au plus chacun, "
    f"{MAX_PROOFS_PER_ANSWER} au plus par envoi ; au moins une réponse écrite ou un fichier. Recevable jusqu'à la "
    "décision, même après la date limite. Erreurs : `invalid_proof` (400), `control_closed` (409), "
    "`control_not_found` (404).",
)
def provider_control_answer(
    request: HttpRequest,
    reference: str,
    answer: str = Form("", max_length=5000),
    kind: str = Form(ProofKind.OTHER.value, description="attendance, certificate, invoice, other"),
    proofs: list[UploadedFile] = File(None),  # noqa: B008 (django-ninja's parameter declaration)
) -> Any:
    control = _get(request, reference)
    control_answer(control_id=control.pk, user=_actor(request), answer=answer, proofs=[(kind, f) for f in proofs or []])
    return Status(201, _out(_get(request, reference)))
