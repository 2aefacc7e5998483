"""Dated parameters: `param("copayment_cents", on=date)` returns the version in force on that date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opencpf.core import clock
from opencpf.core.audit import audit_record
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


class ParameterRefused(DomainError):
    code = "parameter_refused"


@transaction.atomic
def parameter_set(
    *,
    key: str,
    effective_from: dt.date,
    value: int,
    unit: str,
    description: str = "",
    actor: Any = None,
    reason: str = "",
) -> Parameter:
    """Add or replace the version of `key` starting on `effective_from`; audited."""
    if value < 0:
        raise ParameterRefused("Un paramètre ne peut pas être négatif.")
    previous = Parameter.objects.filter(key=key, effective_from=effective_from).first()
    obj, _ = Parameter.objects.update_or_create(
        key=key,
        effective_from=effective_from,
        defaults={"value": value, "unit": unit, "description": description},
    )
    audit_record(
        action="parameter.set",
        actor=actor,
        obj=obj,
        reason=reason,
        data={
            "key": key,
            "effective_from": effective_from.isoformat(),
            "value": value,
            "previous": previous.value if previous else None,
        },
    )
    return obj
