"""Template filters of the catalogue pages."""

from __future__ import annotations

from typing import Any

from django import template

from opencpf.web.templatetags.oc import eur

register = template.Library()


register.filter("eur", eur)  # the one money filter, shared with pages that load this library


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
