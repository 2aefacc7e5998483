"""Where a request comes from (IP address and a device cookie), for the rules that compare purchases' origins.

`OriginMiddleware` keeps the origin of the current request in a context variable and gives each browser a
random device identifier (a first-party cookie, HttpOnly, one year). Code running in the request, including the
after-commit listeners, reads it with `current_origin()`; outside a request (batches, workers) it is empty.
"""

from __future__ import annotations

import contextvars
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opencpf.core.audit import client_ip

DEVICE_COOKIE = "ocpf_device"


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    device: str = ""


_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("trust_origin", default=None)
_EMPTY = Origin()


def current_origin() -> Origin:
    return _origin.get() or _EMPTY


def set_origin(origin: Origin) -> contextvars.Token:
    return _origin.set(origin)


def reset_origin(token: contextvars.Token) -> None:
    _origin.reset(token)


def _device_of(raw: str) -> str:
    # Only a digest is stored: the cookie itself is never written to the database.
    return hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else ""


class OriginMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        raw = request.COOKIES.get(DEVICE_COOKIE, "")
        fresh = not (raw and len(raw) <= 64 and raw.isalnum())
        if fresh:
            raw = secrets.token_hex(16)
        token = set_origin(Origin(ip=client_ip(request), device=_device_of(raw)))
        try:
            response = self.get_response(request)
        finally:
            reset_origin(token)
        if fresh:
            response.set_cookie(
                DEVICE_COOKIE, raw, max_age=365 * 86400, httponly=True, samesite="Lax", secure=request.is_secure()
            )
        return response
