"""Fixed-window rate limits on Django's cache (local memory by default, Redis in production)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from opencpf.core import clock
from opencpf.identity.exceptions import RateLimited

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "activation": (5, 3600),
    "password_reset": (5, 3600),
    "code_send": (5, 3600),
    "code_check": (10, 3600),
    "api_token": (20, 3600),
}


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "IDENTITY_RATE_LIMITS", {})}


def hit(scope: str, key: str) -> bool:
    """Count one attempt for (scope, key); True while within the limit."""
    limit, window = limits()[scope]
    bucket = int(clock.now().timestamp()) // window
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}:{bucket}"
    if cache.add(cache_key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window)
            count = 1
    return count <= limit


def check(scope: str, *keys: str) -> None:
    """Raise RateLimited when any of the keys is over the scope's limit."""
    allowed = [hit(scope, key) for key in keys if key]
    if not all(allowed):
        raise RateLimited()
