"""Identity endpoints for the mobile app (token pairs) and providers' software (API key check)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from opencpf.api.auth import holder_auth, provider_key_auth
from opencpf.core.audit import client_ip
from opencpf.identity import ratelimit, strong
from opencpf.identity.exceptions import InvalidToken
from opencpf.identity.selectors import holder_of, holder_personal_data
from opencpf.identity.tokens import api_token_issue, api_token_refresh, api_token_revoke

router = Router()


class LoginIn(Schema):
    nir: str
    password: str
    device: str = ""


class RefreshIn(Schema):
    refresh_token: str


class TokenOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)
    expires_in: int
    refresh_expires_in: int


class CodeIn(Schema):
    code: str


class MeOut(Schema):
    nir_masque: str
    nom_de_naissance: str
    prenoms: str
    date_de_naissance: dt.date
    adresse_electronique: str
    adresse_confirmee: bool
    session_renforcee: bool
    achat_possible: bool
    motif_achat_impossible: str


class ProviderOut(Schema):
    id: int
    name: str
    siret: str


class Problem(Schema):
    code: str
    detail: str


def _pair(token: Any, access: str, refresh: str) -> dict:
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": int((token.access_expires_at - token.created_at).total_seconds()),
        "refresh_expires_in": int((token.refresh_expires_at - token.created_at).total_seconds()),
    }


@router.post("/auth/token", response={200: TokenOut}, auth=None, summary="Obtenir un jeton (NIR et mot de passe)")
def token(request: HttpRequest, payload: LoginIn, response: HttpResponse) -> Any:
    ratelimit.check("api_token", f"ip:{client_ip(request) or ''}")
    user = authenticate(request, username=payload.nir, password=payload.password)
    if user is None or getattr(user, "kind", None) != "holder":
        raise InvalidToken("Numéro de sécurité sociale ou mot de passe incorrect.", code="invalid_credentials")
    t, access, refresh = api_token_issue(user=user, label=payload.device, request=request)
    response["Cache-Control"] = "no-store"  # RFC 6749 5.1; also keeps tokens out of the idempotency store
    return _pair(t, access, refresh)


@router.post("/auth/refresh", response={200: TokenOut}, auth=None, summary="Renouveler le jeton d'accès")
def refresh(request: HttpRequest, payload: RefreshIn, response: HttpResponse) -> Any:
    t, access, new_refresh = api_token_refresh(refresh_token=payload.refresh_token, request=request)
    response["Cache-Control"] = "no-store"
    return _pair(t, access, new_refresh)


@router.post("/auth/revoke", response={204: None}, auth=holder_auth, summary="Révoquer le jeton (déconnexion)")
def revoke(request: HttpRequest) -> Any:
    api_token_revoke(token=request.api_token)  # type: ignore[attr-defined]
    return 204, None


@router.post("/auth/code", response={204: None}, auth=holder_auth, summary="Recevoir un code de sécurité par courriel")
def send_code(request: HttpRequest) -> Any:
    strong.email_code_send(request=request, user=request.user)  # type: ignore[arg-type]
    return 204, None


@router.post("/auth/renforcer", response={204: None}, auth=holder_auth, summary="Authentification renforcée")
def step_up(request: HttpRequest, payload: CodeIn) -> Any:
    strong.step_up(request=request, user=request.user, method=strong.second_factor(), code=payload.code)  # type: ignore[arg-type]
    return 204, None


@router.get("/me", response=MeOut, auth=holder_auth, summary="Mon compte")
def me(request: HttpRequest) -> Any:
    holder = holder_of(request.user)
    ok, reason = strong.holder_can_purchase(holder)
    return {
        "nir_masque": holder.nir_masked,
        "nom_de_naissance": holder.birth_name,
        "prenoms": holder.first_names,
        "date_de_naissance": holder.birth_date,
        "adresse_electronique": holder.user.email,
        "adresse_confirmee": holder.user.email_confirmed_at is not None,
        "session_renforcee": strong.is_strong_session(request),
        "achat_possible": ok,
        "motif_achat_impossible": reason,
    }


@router.get("/me/donnees-personnelles", auth=holder_auth, summary="Toutes mes données personnelles (RGPD)")
def personal_data(request: HttpRequest) -> Any:
    return holder_personal_data(holder_of(request.user))


@router.post(
    "/me/achat/verification", response={204: None}, auth=holder_auth, summary="Vérifier qu'un achat est possible"
)
def purchase_check(request: HttpRequest) -> Any:
    holder = holder_of(request.user)
    strong.require_purchase_allowed(request, holder)
    return 204, None


@router.get("/organisme", response=ProviderOut, auth=provider_key_auth, summary="L'organisme de cette clé d'API")
def provider_me(request: HttpRequest) -> Any:
    return request.provider  # type: ignore[attr-defined]
