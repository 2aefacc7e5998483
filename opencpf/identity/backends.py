"""Holders sign in with their NIR: looked up by its keyed hash, never stored in clear."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder, User, UserKind


class NirBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        try:
            compact = nir_lib.validate(username)
        except nir_lib.InvalidNir:
            return None
        holder = Holder.objects.select_related("user").filter(nir_hash=nir_lib.nir_hash(compact)).first()
        if holder is None:
            User().set_password(password)  # same cost whether the account exists or not
            return None
        user = holder.user
        if user.kind == UserKind.HOLDER and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
