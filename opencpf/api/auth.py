"""API authentication other routers reuse.

- `holder_auth`: the mobile app's short-lived bearer access token of a holder (`Authorization: Bearer ...`).
- `user_auth`: a bearer access token of any kind of account.
- `provider_key_auth`: a provider's software key (`X-API-Key: ocpf_...`); `request.provider` is its provider.
On success `request.user` is the account and `request.api_token` the token, so `opencpf.identity.strong`
works the same for pages and API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from opencpf.identity.models import UserKind
from opencpf.identity.tokens import api_token_authenticate, provider_api_key_authenticate


class UserTokenAuth(HttpBearer):
    kinds: tuple[str, ...] = (UserKind.HOLDER, UserKind.PROVIDER, UserKind.AGENT)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None or api_token.user.kind not in self.kinds:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class HolderTokenAuth(UserTokenAuth):
    kinds = (UserKind.HOLDER,)


class ProviderKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        api_key = provider_api_key_authenticate(key or "")
        if api_key is None:
            return None
        request.provider = api_key.provider  # type: ignore[attr-defined]
        request.provider_api_key = api_key  # type: ignore[attr-defined]
        return api_key.provider


holder_auth = HolderTokenAuth()
user_auth = UserTokenAuth()
provider_key_auth = ProviderKeyAuth()
