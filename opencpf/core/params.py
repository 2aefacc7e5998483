"""Dated parameters: `param("copayment_cents", on=date)` returns the version in force on that date."""

from __future__ import annotations

import datetime as dt

from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.core.models import Parameter


class MissingParameter(DomainError):
    code = "missing_parameter"
    message = "Un paramètre réglementaire est absent pour cette date."
    status = 500


def param(key: str, *, on: dt.date | None = None) -> int:
    day = on or clock.today()
    value = (
        Parameter.objects.filter(key=key, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    if value is None:
        raise MissingParameter(f"Paramètre « {key} » non défini au {day:%d/%m/%Y}.", key=key)
    return int(value)


def params_on(keys: list[str] | tuple[str, ...], *, on: dt.date | None = None) -> dict[str, int]:
    """Several parameters in one query (for batches)."""
    day = on or clock.today()
    found: dict[str, int] = {}
    rows = (
        Parameter.objects.filter(key__in=keys, effective_from__lte=day)
        .order_by("key", "-effective_from")
        .values_list("key", "value")
    )
    for key, value in rows:
        found.setdefault(key, int(value))
    missing = [k for k in keys if k not in found]
    if missing:
        raise MissingParameter(f"Paramètres non définis au {day:%d/%m/%Y} : {', '.join(missing)}.", keys=missing)
    return found


def parameter_set(*, key: str, effective_from: dt.date, value: int, unit: str, description: str = "") -> Parameter:
    """Add or replace the version of `key` starting on `effective_from`."""
    obj, _ = Parameter.objects.update_or_create(
        key=key,
        effective_from=effective_from,
        defaults={"value": value, "unit": unit, "description": description},
    )
    return obj
