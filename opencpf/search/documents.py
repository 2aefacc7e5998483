"""What the index knows about an offer, read from the catalogue in bulk.

Only published offers of referenced providers are searchable. Labels from referentials (Formacode, ROME) and
ratings are read defensively: the catalogue and reviews domains add them later; until then they are empty/None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from opencpf.core import clock
from opencpf.search.analysis import fold

EPOCH = dt.date(1970, 1, 1)
NO_DATE = 2**31 - 1
MODALITIES = ("in_person", "distance", "mixed")


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def day_from_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@dataclass
class Doc:
    offer_id: int
    provider_id: int
    certification_id: int
    modality: int
    place: str
    latitude: float | None
    longitude: float | None
    hours: int
    price_cents: int
    disability_access: bool
    level: int
    cert_text: str
    title_text: str
    labels_text: str
    description_text: str
    domain: str
    rating: float | None
    postcode: str = ""
    city: str = ""
    provider_name: str = ""
    cert_code: str = ""
    cert_title: str = ""
    session_starts: list[int] = field(default_factory=list)


def offer_rating(offer_id: int) -> float | None:
    """Average rating of an offer (1-5), None when it has none (reviews' cached summary: one query)."""
    return offer_ratings([offer_id]).get(offer_id)


def offer_ratings(offer_ids: Iterable[int] | None = None) -> dict[int, float]:
    """Average ratings of many offers at once (None: every rated offer), for the index build."""
    from opencpf.reviews.selectors import offer_averages

    return offer_averages(offer_ids)


def _referential_labels(kind: str) -> dict[str, str]:
    """code -> label for a catalogue referential ('formacode' or 'rome'), when the catalogue has one."""
    try:
        models = apps.get_app_config("catalogue").get_models()
    except LookupError:
        return {}
    for model in models:
        if kind not in model.__name__.lower():
            continue
        names = {f.name for f in model._meta.get_fields()}
        label = next((n for n in ("label", "title", "libelle", "name") if n in names), None)
        if "code" in names and label:
            return {str(c): str(lbl) for c, lbl in model._default_manager.values_list("code", label)}
    return {}


def place_key(modality: str, insee: str, postcode: str, city: str) -> str:
    if modality == "distance":
        return "distance"
    return f"{insee}|{postcode}|{fold(city).strip()}"


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def load_documents(offer_ids: Iterable[int] | None = None, *, today: dt.date | None = None) -> list[Doc]:
    """Documents for the given offers (all searchable offers when None), in offer id order.

    Offers that are not searchable (unpublished, provider not referenced, deleted) are simply absent.
    """
    Offer = apps.get_model("catalogue", "Offer")
    Training = apps.get_model("catalogue", "Training")
    Certification = apps.get_model("catalogue", "Certification")
    Session = apps.get_model("catalogue", "Session")
    day0 = day_number(today or clock.today())

    offers_qs = Offer.objects.filter(is_published=True, training__provider__status="referenced")
    wanted: list[int] | None = None
    if offer_ids is not None:
        wanted = sorted(set(offer_ids))
        if not wanted:
            return []
    offer_cols = (
        "id",
        "training_id",
        "modality",
        "postcode",
        "city",
        "insee_code",
        "latitude",
        "longitude",
        "hours_total",
        "price_incl_tax_cents",
        "disability_access",
    )
    rows: list[tuple[Any, ...]] = []
    if wanted is None:
        rows = list(offers_qs.order_by("id").values_list(*offer_cols))
    else:
        for chunk in _chunks(wanted):
            rows.extend(offers_qs.filter(id__in=chunk).order_by("id").values_list(*offer_cols))
    if not rows:
        return []

    training_ids = sorted({r[1] for r in rows})
    trainings: dict[int, tuple[Any, ...]] = {}
    t_cols = (
        "id",
        "provider_id",
        "certification_id",
        "title",
        "objectives",
        "content",
        "expected_results",
        "formacode_codes",
        "rome_codes",
    )
    if wanted is None:
        trainings = {t[0]: t for t in Training.objects.values_list(*t_cols).iterator(chunk_size=20000)}
    else:
        for chunk in _chunks(training_ids):
            trainings.update({t[0]: t for t in Training.objects.filter(id__in=chunk).values_list(*t_cols)})
    certs = {c[0]: c for c in Certification.objects.values_list("id", "code", "title", "level")}
    Provider = apps.get_model("catalogue", "Provider")
    provider_ids = sorted({t[1] for t in trainings.values()})
    providers: dict[int, str] = {}
    if wanted is None:
        providers = dict(Provider.objects.values_list("id", "name"))
    else:
        for chunk in _chunks(provider_ids):
            providers.update(Provider.objects.filter(id__in=chunk).values_list("id", "name"))

    sessions: dict[int, list[int]] = {}
    s_qs = Session.objects.filter(is_recruiting=True, start_date__gte=day_from_number(day0))
    s_rows: Iterable[tuple[Any, ...]]
    if wanted is None:
        s_rows = s_qs.filter(offer__is_published=True).values_list("offer_id", "start_date").iterator(chunk_size=50000)
    else:
        s_rows = [
            r
            for chunk in _chunks(wanted)
            for r in s_qs.filter(offer_id__in=chunk).values_list("offer_id", "start_date")
        ]
    for offer_id, start in s_rows:
        sessions.setdefault(offer_id, []).append(day_number(start))

    ratings = offer_ratings(wanted)
    formacode_labels = _referential_labels("formacode")
    rome_labels = _referential_labels("rome")
    desc_cache: dict[int, str] = {}
    cert_cache: dict[int, str] = {}
    docs: list[Doc] = []
    mod_index = {m: i for i, m in enumerate(MODALITIES)}
    for oid, tid, modality, postcode, city, insee, lat, lon, hours, price, disability in rows:
        t = trainings[tid]
        cert = certs[t[2]]
        formacodes = [str(c) for c in (t[7] or [])]
        romes = [str(c) for c in (t[8] or [])]
        labels = " ".join([formacode_labels.get(c, "") for c in formacodes] + [rome_labels.get(c, "") for c in romes])
        labels = labels.strip()
        docs.append(
            Doc(
                offer_id=oid,
                provider_id=t[1],
                certification_id=t[2],
                modality=mod_index.get(modality, 0),
                place=place_key(modality, insee, postcode, city),
                latitude=lat if modality != "distance" else None,
                longitude=lon if modality != "distance" else None,
                hours=hours,
                price_cents=price,
                disability_access=disability,
                level=cert[3] or 0,
                cert_text=cert_cache.setdefault(cert[0], f"{cert[1]} {cert[2]}"),
                title_text=t[3],
                labels_text=labels,
                description_text=desc_cache.setdefault(tid, f"{t[4]}\n{t[5]}\n{t[6]}"),
                domain=formacodes[0][:2] if formacodes else "",
                rating=ratings.get(oid),
                postcode=postcode,
                provider_name=providers.get(t[1], ""),
                cert_code=cert[1],
                cert_title=cert[2],
                city=city,
                session_starts=sorted(sessions.get(oid, [])),
            )
        )
    return docs
