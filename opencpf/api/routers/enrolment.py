"""Enrolment endpoints: holders (mobile app) and providers' staff act on dossiers.

Authentication: a bearer access token (mobile app, any account), a provider's software key (`X-API-Key`:
its actions are logged under the staff member who created the key, who must still be a member), or the web
session. Every POST honours `Idempotency-Key` (middleware) and the services are idempotent on the
dossier's state: a retried action changes the dossier once.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from opencpf.api.auth import provider_key_auth, user_auth
from opencpf.api.pagination import PagePagination
from opencpf.api.types import IsoDate
from opencpf.catalogue.models import Session
from opencpf.core.exceptions import NotFound
from opencpf.enrolment import ports, selectors, services, transitions
from opencpf.enrolment.exceptions import ActorNotAllowed
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import ProviderMembership, UserKind

router = Router(auth=[user_auth, provider_key_auth, django_auth])


class TransitionOut(Schema):
    at: dt.datetime
    event: str
    label: str
    who: str
    from_state: str
    to_state: str
    reason: str


class DossierOut(Schema):
    number: str
    state: str
    holder_label: str
    provider_label: str
    billing_state: str
    control_state: str
    training_title: str
    provider_name: str
    session_id: int
    start_date: dt.date
    end_date: dt.date
    price_cents: int
    rights_cents: int
    topups_cents: int
    copayment_cents: int
    rest_cents: int
    reserved_cents: int
    captured_cents: int
    released_cents: int
    forfeited_cents: int
    compensation_cents: int
    card_paid_cents: int
    card_refunded_cents: int
    deadline_kind: str
    deadline_on: dt.date | None
    cooling_off_until: dt.date | None
    flagged: bool
    exit_date: dt.date | None
    hours_attended: int | None
    completion_rate_bp: int | None = Field(description="Taux de réalisation en points de base (10 000 = 100 %)")
    exit_reason: str
    exit_declared_at: dt.datetime | None
    service_done_validated_at: dt.datetime | None
    due_cents: int = Field(description="Montant total dû à l'organisme")
    advance_cents: int
    card_credited_cents: int
    actions: list[str] = Field(description="Actions possibles pour l'appelant")


class DossierDetailOut(DossierOut):
    timeline: list[TransitionOut]


class SplitOut(Schema):
    price_cents: int
    rights_cents: int
    topups_cents: int
    copayment_cents: int
    rest_cents: int


class RequestIn(Schema):
    session_id: int
    message: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class ProposalIn(Schema):
    session_id: int | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    price_cents: int | None = Field(None, ge=0)
    message: str = Field("", max_length=2000)


class ExitIn(Schema):
    exit_date: IsoDate
    hours_attended: int | None = Field(None, ge=0)
    completion_rate_bp: int | None = Field(None, ge=0, le=10_000, description="10 000 = 100 %")
    reason: str = Field(
        "",
        description="Vide ou completed si suivie en totalité ; sinon force_majeure, abandonment ou "
        "provider_interruption",
    )


def _actor(request: HttpRequest) -> Any:
    """The account acting: the session or token user, or for a provider key the staff member who created it."""
    key = getattr(request, "provider_api_key", None)
    if key is None:
        return request.user
    user = key.created_by
    if user is None or not ProviderMembership.objects.filter(user=user, provider_id=key.provider_id).exists():
        raise ActorNotAllowed("Cette clé d'API n'est rattachée à aucun membre actif de l'organisme.")
    return user


def _who(user: Any) -> str:
    return {UserKind.HOLDER: "holder", UserKind.PROVIDER: "provider", UserKind.AGENT: "agent"}.get(user.kind, "")


def _out(dossier: Dossier, user: Any, *, detail: bool = False) -> dict[str, Any]:
    data = {
        "number": dossier.number,
        "state": dossier.state,
        "holder_label": dossier.holder_label,
        "provider_label": dossier.provider_label,
        "billing_state": dossier.billing_state,
        "control_state": dossier.control_state,
        "training_title": dossier.training.title,
        "provider_name": dossier.provider.name,
        "session_id": dossier.session_id,
        "flagged": dossier.flagged_at is not None,
        "actions": transitions.available_events(dossier, _who(user)),
    }
    for name in DossierOut.model_fields:
        data.setdefault(name, getattr(dossier, name, None))
    if detail:
        data["timeline"] = [
            {
                "at": t.at,
                "event": t.event,
                "label": t.get_event_display(),
                "who": t.who,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "reason": t.reason,
            }
            for t in selectors.timeline(dossier)
        ]
    return data


class _Page:
    """A query set the paginator slices; only the page's dossiers are read and serialised."""

    def __init__(self, qs: Any, user: Any) -> None:
        self.qs, self.user = qs, user

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [_out(d, self.user) for d in self.qs[window]]


def _get(request: HttpRequest, number: str) -> Dossier:
    return selectors.dossier_for(_actor(request), number=number)


def _detail(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    user = _actor(request)
    return _out(selectors.dossier_for(user, pk=dossier.pk), user, detail=True)


@router.get("/dossiers", response=list[DossierOut], summary="Mes dossiers (titulaire) ou ceux de mon organisme")
@paginate(PagePagination)
def dossier_list(request: HttpRequest, state: str | None = None, due_before: IsoDate | None = None, q: str = "") -> Any:
    user = _actor(request)
    if user.kind == UserKind.HOLDER:
        qs = selectors.dossiers_for_holder(user)
    elif user.kind == UserKind.PROVIDER:
        qs = selectors.dossiers_for_provider_user(user, state=state, due_before=due_before, query=q)
    else:
        raise ActorNotAllowed()
    return _Page(qs, user)


@router.get("/dossiers/{number}", response=DossierDetailOut, summary="Un dossier et son historique")
def dossier_detail(request: HttpRequest, number: str) -> Any:
    return _out(_get(request, number), _actor(request), detail=True)


@router.get("/sessions/{session_id}/repartition", response=SplitOut, summary="Répartition du prix avant la demande")
def session_split(request: HttpRequest, session_id: int) -> Any:
    user = _actor(request)
    if user.kind != UserKind.HOLDER:
        raise ActorNotAllowed()
    session = (
        Session.objects.select_related("offer__training__certification")
        .filter(pk=session_id, offer__is_published=True)
        .first()
    )
    if session is None:
        raise NotFound("Cette session est introuvable.")
    return ports.quote_for(
        holder=user.holder,
        training=session.offer.training,
        price_cents=session.offer.price_incl_tax_cents,
    )


@router.post("/dossiers", response={201: DossierDetailOut}, summary="Demander une inscription à une session")
def dossier_request(request: HttpRequest, payload: RequestIn) -> Any:
    dossier = services.dossier_request(
        actor=_actor(request),
        session_id=payload.session_id,
        holder_message=payload.message,
        client_token=(request.headers.get("Idempotency-Key") or "")[:64],
    )
    return Status(201, _detail(request, dossier))


@router.post("/dossiers/{number}/retrait", response=DossierDetailOut, summary="Retirer ma demande (titulaire)")
def dossier_withdraw(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    dossier = _get(request, number)
    return _detail(
        request, services.dossier_withdraw(dossier_id=dossier.pk, actor=_actor(request), reason=payload.reason)
    )


@router.post(
    "/dossiers/{number}/acceptation",
    response=DossierDetailOut,
    summary="Accepter la proposition (titulaire, authentification renforcée)",
)
def dossier_accept(request: HttpRequest, number: str) -> Any:
    dossier = _get(request, number)
    accepted = services.dossier_accept(
        dossier_id=dossier.pk, actor=_actor(request), strong_session=ports.is_strong_session(request)
    )
    return _detail(request, accepted)


@router.post("/dossiers/{number}/declin", response=DossierDetailOut, summary="Refuser la proposition (titulaire)")
def dossier_decline(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    dossier = _get(request, number)
    return _detail(
        request, services.dossier_decline(dossier_id=dossier.pk, actor=_actor(request), reason=payload.reason)
    )


@router.post(
    "/dossiers/{number}/annulation",
    response=DossierDetailOut,
    summary="Annuler l'inscription (titulaire, organisme ou gestionnaire)",
)
def dossier_cancel(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    dossier = _get(request, number)
    kind = _actor(request).kind
    cancels: dict[str, Any] = {
        UserKind.HOLDER: services.dossier_holder_cancel,
        UserKind.PROVIDER: services.dossier_provider_cancel,
        UserKind.AGENT: services.dossier_agent_cancel,
    }
    service = cancels[kind]
    return _detail(request, service(dossier_id=dossier.pk, actor=_actor(request), reason=payload.reason))


@router.post("/dossiers/{number}/proposition", response=DossierDetailOut, summary="Envoyer une proposition (organisme)")
def dossier_propose(request: HttpRequest, number: str, payload: ProposalIn) -> Any:
    dossier = _get(request, number)
    proposed = services.dossier_propose(
        dossier_id=dossier.pk,
        actor=_actor(request),
        session_id=payload.session_id,
        start_date=payload.start_date,
        end_date=payload.end_date,
        price_cents=payload.price_cents,
        message=payload.message,
    )
    return _detail(request, proposed)


@router.post("/dossiers/{number}/refus", response=DossierDetailOut, summary="Refuser la demande (organisme)")
def dossier_refuse(request: HttpRequest, number: str, payload: ReasonIn) -> Any:
    dossier = _get(request, number)
    return _detail(
        request, services.dossier_refuse(dossier_id=dossier.pk, actor=_actor(request), reason=payload.reason)
    )


@router.post(
    "/dossiers/{number}/entree", response=DossierDetailOut, summary="Déclarer l'entrée en formation (organisme)"
)
def dossier_declare_entry(request: HttpRequest, number: str) -> Any:
    dossier = _get(request, number)
    return _detail(request, services.dossier_declare_entry(dossier_id=dossier.pk, actor=_actor(request)))


@router.post(
    "/dossiers/{number}/sortie",
    response=DossierDetailOut,
    summary="Déclarer la sortie de formation : service fait (organisme)",
)
def dossier_declare_exit(request: HttpRequest, number: str, payload: ExitIn) -> Any:
    dossier = _get(request, number)
    declared = services.dossier_declare_exit(
        dossier_id=dossier.pk,
        actor=_actor(request),
        exit_date=payload.exit_date,
        hours_attended=payload.hours_attended,
        completion_rate_bp=payload.completion_rate_bp,
        reason=payload.reason,
    )
    return _detail(request, declared)


@router.post(
    "/dossiers/{number}/validation-service-fait",
    response=DossierDetailOut,
    summary="Valider le service fait (gestionnaire habilité)",
)
def dossier_agent_validate(request: HttpRequest, number: str) -> Any:
    dossier = _get(request, number)
    return _detail(request, services.dossier_agent_validate(dossier_id=dossier.pk, actor=_actor(request)))
