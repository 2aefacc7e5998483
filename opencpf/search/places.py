"""Where is a place typed by a person: a postcode or a commune name -> coordinates.

The catalogue's commune referential comes first; where it is not loaded (a fresh demo), the gazetteer is built
from the offers themselves (mean coordinates per postcode and per commune name), with the department's mean as a
fallback for a postcode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Avg

from opencpf.search.analysis import fold


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def _key(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(name)))


class Gazetteer:
    def __init__(self) -> None:
        self.by_postcode: dict[str, Place] = {}
        self.by_name: dict[str, Place] = {}
        self.by_department: dict[str, Place] = {}

    @classmethod
    def from_catalogue(cls) -> Gazetteer:
        g = cls()
        Offer = apps.get_model("catalogue", "Offer")
        rows = (
            Offer.objects.filter(is_published=True, latitude__isnull=False, longitude__isnull=False)
            .exclude(postcode="")
            .values("postcode", "city")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
            .order_by("postcode", "city")
        )
        dept: dict[str, list[tuple[float, float]]] = {}
        for r in rows:
            place = Place(f"{r['city']} ({r['postcode']})", float(r["lat"]), float(r["lon"]))
            g.by_postcode.setdefault(r["postcode"], place)
            if r["city"]:
                g.by_name.setdefault(_key(r["city"]), place)
            dept.setdefault(r["postcode"][:2], []).append((place.latitude, place.longitude))
        g._add_referential(dept)
        for code, pts in dept.items():
            g.by_department[code] = Place(
                f"département {code}", sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
            )
        return g

    def _add_referential(self, dept: dict[str, list[tuple[float, float]]]) -> None:
        """Communes from the catalogue's referential (`import_communes`); they take precedence over offers."""
        from opencpf.catalogue.models import Commune

        rows = Commune.objects.exclude(latitude__isnull=True).values_list("name", "latitude", "longitude", "postcodes")
        for label, la, lo, codes in rows.iterator(chunk_size=10000):
            if la is None or lo is None:
                continue
            codes = [str(c) for c in (codes or [])]
            place = Place(f"{label} ({codes[0]})" if codes else label, float(la), float(lo))
            self.by_name[_key(label)] = place
            for c in codes:
                self.by_postcode[c] = place
                dept.setdefault(c[:2], []).append((float(la), float(lo)))

    def resolve(self, text: str) -> Place | None:
        text = text.strip()
        if not text:
            return None
        m = re.search(r"\b(\d{5})\b", text)
        if m:
            code = m.group(1)
            return self.by_postcode.get(code) or self.by_department.get(code[:2])
        key = _key(re.sub(r"\(.*?\)", "", text))
        return self.by_name.get(key)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        key = _key(prefix)
        if not key:
            return []
        out = [p.label for name, p in sorted(self.by_name.items()) if name.startswith(key)]
        return out[:limit]
