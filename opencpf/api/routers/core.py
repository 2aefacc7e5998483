"""Platform endpoints: health and the dated parameters in force."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

from opencpf.api.types import IsoDate
from opencpf.core import clock
from opencpf.core.models import Parameter

router = Router()


class HealthOut(Schema):
    status: str
    database: str


class ParameterOut(Schema):
    key: str
    value: int
    unit: str
    effective_from: dt.date
    description: str


@router.get("/health", response=HealthOut, summary="État du service", auth=None)
def health(request: HttpRequest) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


@router.get("/parameters", response=list[ParameterOut], summary="Paramètres réglementaires en vigueur", auth=None)
def parameters(request: HttpRequest, on: IsoDate | None = None) -> list[Parameter]:
    day = on or clock.today()
    latest: dict[str, Parameter] = {}
    for p in Parameter.objects.filter(effective_from__lte=day).order_by("key", "-effective_from"):
        latest.setdefault(p.key, p)
    return list(latest.values())
