"""FranceConnect sign-in (OpenID Connect, authorization code + PKCE, state, nonce, signed ID token).

authlib does the protocol: the state, nonce and PKCE verifier live in the session, the ID token's signature is
checked against the provider's JWKS (from its discovery document), with `iss`, `aud`, `exp` and `nonce`.
This module then reads `acr` (eIDAS level) and matches the identity claims to the holder's record.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import login

from opencpf.core.audit import audit_record
from opencpf.identity import strong
from opencpf.identity.exceptions import FranceConnectError, FranceConnectMismatch, FranceConnectNoAccount
from opencpf.identity.models import Holder, UserKind

logger = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"
DEFAULTS: dict[str, Any] = {
    "client_id": "",
    "client_secret": "",
    "server_metadata_url": "",
    "scope": "openid given_name family_name birthdate gender birthplace birthcountry",
    "acr_values": "eidas2",
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "FRANCECONNECT", {})}


def enabled() -> bool:
    conf = config()
    return bool(conf["client_id"] and conf["server_metadata_url"])


_clients: dict[tuple, Any] = {}


def client() -> Any:
    conf = config()
    key = (conf["client_id"], conf["client_secret"], conf["server_metadata_url"], conf["scope"])
    if key not in _clients:
        oauth = OAuth()
        oauth.register(
            "franceconnect",
            client_id=conf["client_id"],
            client_secret=conf["client_secret"],
            server_metadata_url=conf["server_metadata_url"],
            client_kwargs={
                "scope": conf["scope"],
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "timeout": 10,
            },
        )
        _clients.clear()
        _clients[key] = oauth.create_client("franceconnect")
    return _clients[key]


def authorize_redirect(request: Any, redirect_uri: str) -> Any:
    if not enabled():
        raise FranceConnectError("FranceConnect n'est pas disponible pour le moment.")
    try:
        return client().authorize_redirect(request, redirect_uri, acr_values=config()["acr_values"])
    except (OAuthError, OSError, ValueError) as exc:
        raise FranceConnectError() from exc


def _norm(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    for sep in "-'’":
        text = text.replace(sep, " ")
    return " ".join(text.split())


def claims_match(holder: Holder, claims: dict[str, Any]) -> bool:
    """Identity pivot: birth name, first given name, birth date, sex and (when both known) birthplace."""
    if _norm(claims.get("family_name", "")) != _norm(holder.birth_name):
        return False
    given = _norm(claims.get("given_name", "")).split()
    ours = _norm(holder.first_names).split()
    if not given or not ours or given[0] != ours[0]:
        return False
    if str(claims.get("birthdate", "")) != holder.birth_date.isoformat():
        return False
    if {"male": "M", "female": "F"}.get(str(claims.get("gender", "")).lower()) != holder.sex:
        return False
    place = str(claims.get("birthplace") or "")
    return not (place and holder.birthplace and place != holder.birthplace)


def _find_holder(claims: dict[str, Any]) -> Holder | None:
    try:
        birth_date = dt.date.fromisoformat(str(claims.get("birthdate", "")))
    except ValueError:
        return None
    sex = {"male": "M", "female": "F"}.get(str(claims.get("gender", "")).lower())
    candidates = [
        h
        for h in Holder.objects.select_related("user").filter(birth_date=birth_date, sex=sex, franceconnect_sub=None)
        if claims_match(h, claims)
    ]
    return candidates[0] if len(candidates) == 1 else None


def complete(request: Any) -> Holder:
    """Handle the callback: token exchange, ID token checks, claims matching, login. Raises a domain error.

    Not one transaction: a refusal's audit record must stay although the call fails."""
    if not enabled():
        raise FranceConnectError("FranceConnect n'est pas disponible pour le moment.")
    fc = client()
    try:
        token = fc.authorize_access_token(request)
        id_claims = token.get("userinfo")
        if not id_claims:
            raise FranceConnectError()
        # FranceConnect's access tokens live 60 s: authlib's 60 s leeway would call them expired already.
        claims = dict(fc.userinfo(token={"access_token": token["access_token"], "token_type": "Bearer"}))
    except (OAuthError, OSError, ValueError, KeyError) as exc:
        logger.warning("FranceConnect callback refused: %s %s", exc.__class__.__name__, exc)
        raise FranceConnectError() from exc
    except Exception as exc:  # joserfc signature or claim errors
        if exc.__class__.__module__.startswith(("joserfc", "authlib")):
            logger.warning("FranceConnect ID token refused: %s", exc.__class__.__name__)
            raise FranceConnectError() from exc
        raise
    sub = str(id_claims.get("sub") or "")
    if not sub or claims.get("sub") not in (None, sub):
        raise FranceConnectError()
    acr = str(id_claims.get("acr") or "")

    current = request.user if getattr(request.user, "is_authenticated", False) else None
    if current is not None and getattr(current, "kind", None) == UserKind.HOLDER:
        holder = Holder.objects.select_related("user").get(user=current)
        if holder.franceconnect_sub not in (None, sub) or not claims_match(holder, claims):
            audit_record(action="identity.franceconnect.mismatch", actor=current, obj=holder, request=request)
            raise FranceConnectMismatch()
    else:
        linked = Holder.objects.select_related("user").filter(franceconnect_sub=sub).first()
        if linked is not None:
            if not claims_match(linked, claims):
                audit_record(action="identity.franceconnect.mismatch", obj=linked, request=request)
                raise FranceConnectMismatch()
            holder = linked
        else:
            found = _find_holder(claims)
            if found is None:
                raise FranceConnectNoAccount()
            holder = found
    if not holder.user.is_active:
        raise FranceConnectError("Ce compte est désactivé.")
    if holder.franceconnect_sub != sub:
        holder.franceconnect_sub = sub
        holder.save(update_fields=["franceconnect_sub"])
    if current is None or current.pk != holder.user_id:
        login(request, holder.user, backend=BACKEND)
    request.session["identity_franceconnect_acr"] = acr
    if acr in strong.STRONG_ACR:
        strong.mark_strong(request, method=strong.METHOD_FRANCECONNECT)
    audit_record(
        action="identity.franceconnect.login", actor=holder.user, obj=holder, request=request, data={"acr": acr}
    )
    return holder
