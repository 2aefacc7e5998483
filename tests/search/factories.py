"""Small catalogues for search tests, written straight through the catalogue models."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Session, Training

_seq = itertools.count(1)

PLACES = {
    "lyon": ("69003", "Lyon", "69383", 45.7597, 4.8422),
    "villeurbanne": ("69100", "Villeurbanne", "69266", 45.7719, 4.8902),
    "vienne": ("38200", "Vienne", "38544", 45.5255, 4.8744),
    "grenoble": ("38000", "Grenoble", "38185", 45.1885, 5.7245),
    "paris": ("75011", "Paris", "75111", 48.8590, 2.3800),
    "marseille": ("13001", "Marseille", "13201", 43.2965, 5.3698),
}


def provider(name: str = "", status: str = ProviderStatus.REFERENCED, **kw: Any) -> Provider:
    n = next(_seq)
    return Provider.objects.create(name=name or f"Organisme {n}", siret=f"{n:014d}", status=status, **kw)


def certification(title: str = "Certificat de qualification", code: str = "", level: int | None = 4) -> Certification:
    n = next(_seq)
    return Certification.objects.create(code=code or f"RNCP{n:05d}", kind="RNCP", title=title, level=level)


def offer(
    *,
    title: str = "Formation comptabilité",
    cert: Certification | None = None,
    prov: Provider | None = None,
    place: str = "lyon",
    modality: str = "in_person",
    price_cents: int = 150_000,
    hours: int = 120,
    description: str = "",
    published: bool = True,
    sessions: list[dt.date] | None = None,
    disability: bool = True,
    formacodes: list[str] | None = None,
    pk: int | None = None,
    training: Training | None = None,
) -> Offer:
    n = next(_seq)
    if training is None:
        training = Training.objects.create(
            provider=prov or provider(),
            certification=cert or certification(),
            reference=f"F{n}",
            title=title,
            objectives=description,
            formacode_codes=formacodes or [],
        )
    postcode, city, insee, lat, lon = PLACES[place] if modality != "distance" else ("", "", "", None, None)
    extra = {"pk": pk} if pk is not None else {}
    o = Offer.objects.create(
        training=training,
        reference=f"A{n}",
        modality=modality,
        postcode=postcode,
        city=city,
        insee_code=insee,
        latitude=lat,
        longitude=lon,
        hours_total=hours,
        price_incl_tax_cents=price_cents,
        price_excl_tax_cents=price_cents * 100 // 120,
        disability_access=disability,
        is_published=published,
        **extra,
    )
    for i, start in enumerate(sessions or [dt.date(2026, 4, 1)]):
        Session.objects.create(offer=o, reference=f"S{n}-{i}", start_date=start, end_date=start + dt.timedelta(days=30))
    return o
