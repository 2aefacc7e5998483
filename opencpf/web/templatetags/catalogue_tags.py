"""Template filters of the catalogue pages."""

from __future__ import annotations

from typing import Any

from django import template

from opencpf.core.money import format_eur

register = template.Library()


@register.filter
def eur(cents: Any) -> str:
    try:
        return format_eur(int(cents))
    except (TypeError, ValueError):
        return ""


@register.filter
def changes_text(changes: Any) -> str:
    if not isinstance(changes, dict):
        return ""
    parts = []
    for key, value in list(changes.items())[:8]:
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key} : {value[0]!s:.40} → {value[1]!s:.40}")
        else:
            parts.append(f"{key} : {value!s:.40}")
    more = len(changes) - 8
    return " ; ".join(parts) + (f" (et {more} autres)" if more > 0 else "")
