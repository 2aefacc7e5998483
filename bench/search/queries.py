"""The fixed list of 100 benchmark queries: text only, text + place, text + filters, pages 1 and 20."""

from __future__ import annotations

import datetime as dt
from typing import Any

TEXTS = [
    "informatique",
    "formation",
    "comptabilite",
    "comptabilité gestion",
    "anglais",
    "anglais toeic",
    "soudure",
    "développeur web",
    "developpeur",
    "excel",
    "cariste caces",
    "permis",
    "cuisine",
    "aide soignant",
    "paie",
    "secrétaire",
    "cybersécurité",
    "data analyst",
    "management",
    "électricien",
    "habilitation électrique",
    "plombier chauffagiste",
    "vente",
    "marketing digital",
    "création d'entreprise",
    "bilan de compétences",
    "comptabilte",
    "formations langues",
    "RNCP30015",
    "intelligence artificielle",
]
BROAD = [
    "informatique",
    "formation",
    "anglais",
    "vente",
    "excel",
    "comptabilite",
    "gestion",
    "numérique",
    "certification",
    "management",
]
PLACES = [
    "Paris",
    "Lyon",
    "69100",
    "Marseille",
    "Bordeaux",
    "Lille",
    "Nantes",
    "Toulouse",
    "Rennes",
    "Grenoble",
    "75015",
    "Strasbourg",
    "Montpellier",
]


def queries(today: dt.date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in TEXTS:  # 30
        out.append({"text": t})
    for t in BROAD:  # 10
        out.append({"text": t, "page": 20})
    for i in range(25):  # 25
        out.append({"text": TEXTS[(i * 7) % len(TEXTS)], "place": PLACES[i % len(PLACES)]})
    for i in range(5):  # 5
        out.append({"text": BROAD[i], "place": PLACES[i], "page": 20})
    filters: list[dict[str, Any]] = [
        {"max_price_cents": 150_000},
        {"modalities": ["distance"]},
        {"start_from": today + dt.timedelta(days=10), "start_to": today + dt.timedelta(days=90)},
        {"levels": [5, 6]},
        {"disability_access": True},
        {"sort": "price"},
        {"sort": "start"},
        {"max_price_cents": 300_000, "modalities": ["in_person", "mixed"]},
        {"min_hours": 100, "max_hours": 800},
        {"distance_only": True, "sort": "price"},
    ]
    for i in range(20):  # 20
        q = {"text": TEXTS[(i * 3) % len(TEXTS)], **filters[i % len(filters)]}
        if i % 4 == 0:
            q["place"] = PLACES[i % len(PLACES)]
        out.append(q)
    for i in range(5):  # 5: no text
        out.append({"text": "", **filters[i * 2 % len(filters)]})
    for i in range(5):  # 5
        out.append({"text": BROAD[i], **filters[i], "page": 20})
    assert len(out) == 100
    return out


def to_http(q: dict[str, Any]) -> str:
    """The same query as GET /api/v1/search parameters."""
    from urllib.parse import urlencode

    params: list[tuple[str, str]] = []
    for key, value in q.items():
        name = {"text": "q", "modalities": "modality", "levels": "level"}.get(key, key)
        if isinstance(value, list):
            params.extend((name, str(v)) for v in value)
        elif isinstance(value, bool):
            params.append((name, "true" if value else "false"))
        elif isinstance(value, dt.date):
            params.append((name, value.isoformat()))
        else:
            params.append((name, str(value)))
    return urlencode(params)
