"""What django-axes stores as the username: never a clear NIR (a keyed hash of it instead)."""

from __future__ import annotations

from typing import Any

from opencpf.identity import nir as nir_lib


def safe_username(value: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        compact = nir_lib.validate(raw)
    except nir_lib.InvalidNir:
        compact = ""
    if compact:
        return f"nir:{nir_lib.nir_hash(compact)[:32]}"
    # Anything NIR-like but invalid is hashed as well; emails are kept lower-cased.
    if "@" not in raw and sum(c.isdigit() for c in raw) >= 6:
        return f"id:{nir_lib.nir_hash_raw(raw)[:32]}"
    return raw.lower()[:150]


def username_callable(request: Any, credentials: dict | None) -> str:
    if credentials and credentials.get("username"):
        return safe_username(credentials.get("username"))
    data = getattr(request, "POST", None) or {}
    return safe_username(data.get("username"))
