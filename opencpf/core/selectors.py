"""Reads on platform data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from opencpf.core import clock
from opencpf.core.models import Parameter


def parameters_by_key(*, on: dt.date | None = None) -> list[dict]:
    """Every parameter with its versions, newest first, and which one is in force on `on`."""
    day = on or clock.today()
    versions: dict[str, list[Parameter]] = defaultdict(list)
    for p in Parameter.objects.order_by("key", "-effective_from"):
        versions[p.key].append(p)
    rows = []
    for key, items in versions.items():
        current = next((p for p in items if p.effective_from <= day), None)
        rows.append(
            {
                "key": key,
                "current": current,
                "versions": items,
                "unit": items[0].unit,
                "description": items[0].description,
            }
        )
    return rows
