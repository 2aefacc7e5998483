"""Idempotency-Key on API POSTs: the same key with the same body replays the first response;
the same key with another body is refused; a request still in progress answers 409.

Keys are scoped to the caller (session user, bearer token or API key), never global.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from opencpf.api.errors import problem
from opencpf.core import clock
from opencpf.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
API_PREFIX = "/api/"
MAX_KEY_LENGTH = 255


def _principal(request: HttpRequest) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION") or request.META.get("HTTP_X_API_KEY") or ""
    if auth:
        return "t:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return f"s:{session_key}" if session_key else "anonymous"


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b"\0" + request.path.encode() + b"\0")
    digest.update(request.META.get("QUERY_STRING", "").encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return problem(
                request,
                400,
                "idempotency_key_invalid",
                "L'en-tête Idempotency-Key est trop long (255 caractères au plus).",
            )
        principal = _principal(request)
        request_hash = _request_hash(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    method="POST",
                    path=request.path[:500],
                    request_hash=request_hash,
                    created_at=clock.now(),
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if existing is None:  # removed meanwhile after a failure: let the caller retry
                return problem(
                    request, 409, "idempotency_conflict", "Une requête avec cette clé est en cours. Réessayez."
                )
            if existing.request_hash != request_hash:
                return problem(
                    request,
                    422,
                    "idempotency_key_reused",
                    "Cette clé d'idempotence a déjà servi pour une autre requête. Utilisez une nouvelle clé.",
                )
            if existing.status_code is None:
                return problem(
                    request, 409, "idempotency_in_progress", "Une requête identique est en cours de traitement."
                )
            replay = HttpResponse(
                bytes(existing.body or b""), status=existing.status_code, content_type=existing.content_type
            )
            replay["Idempotent-Replayed"] = "true"
            return replay

        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            # Secrets (tokens) are never stored: such a response is not replayable, the key is freed.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        if response.status_code >= 500 or getattr(response, "streaming", False):
            # Nothing was done (or we cannot tell): free the key so the client may retry.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", "")[:100],
            body=response.content,
        )
        return response
