"""The operator's published aggregate datasets, with small-count suppression.

Rule (documented in docs/backoffice.md): no published count is below THRESHOLD. A count from 1 to
THRESHOLD - 1 is replaced by "<10" (primary suppression) and the amounts of that row are left blank. Every table
publishes a total per group; so that a suppressed count cannot be recovered as the total minus the other cells,
when a group has exactly one suppressed cell, the smallest other non-zero cell of the group is left blank too
(secondary suppression: blank, not "<10", since it may be large); if no such cell exists, the group's total is
suppressed. Zero is published as 0
(it reveals no one). The NIR never appears: sex and birth year come from the Holder row (checked against the
NIR when the account was created), the region from the holder's commune.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from opencpf.catalogue.geo import REGIONS
from opencpf.catalogue.models import Commune
from opencpf.core import csvsafe
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import Holder

THRESHOLD = 10
SUPPRESSED = f"<{THRESHOLD}"
SECONDARY = ""  # a cell hidden only to protect another one: blank (it is not necessarily small)
AGE_CLASSES = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))
UNKNOWN = "Inconnue"


def suppress(counts: dict[Any, int]) -> tuple[dict[Any, str], str]:
    """Published cells and total of one group (see the module's rule)."""
    hidden = {k for k, n in counts.items() if 0 < n < THRESHOLD}
    complement: set[Any] = set()
    total = sum(counts.values())
    hide_total = 0 < total < THRESHOLD
    if len(hidden) == 1 and not hide_total:
        candidates = sorted((n, str(k)) for k, n in counts.items() if k not in hidden and n > 0)
        if candidates:
            smallest = candidates[0][1]
            complement.add(next(k for k in counts if str(k) == smallest))
        else:
            hide_total = True
    cells = {k: (SUPPRESSED if k in hidden else SECONDARY if k in complement else str(n)) for k, n in counts.items()}
    return cells, (SUPPRESSED if hide_total else str(total))


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def purchases_by_certification_month(path: Path) -> int:
    """Dossiers accepted by the holder (purchases), per month of acceptance and certification."""
    rows = (
        Dossier.objects.filter(accepted_at__isnull=False)
        .annotate(month=TruncMonth("accepted_at"))
        .values("month", "training__certification__code", "training__certification__title")
        .annotate(n=Count("id"), amount=Sum("price_cents"))
        .order_by("month", "training__certification__code")
    )
    groups: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    for r in rows:
        month = r["month"].strftime("%Y-%m")
        key = (r["training__certification__code"], r["training__certification__title"])
        groups[month][key] = (r["n"], int(r["amount"] or 0))
    written = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csvsafe.writer(fh, delimiter=";")
        writer.writerow(["mois", "code_certification", "intitule_certification", "achats", "montant_euros"])
        for month, cells in groups.items():
            published, total = suppress({k: n for k, (n, _) in cells.items()})
            for (code, title), (_, amount) in cells.items():
                value = published[(code, title)]
                writer.writerow([month, code, title, value, "" if value in (SUPPRESSED, SECONDARY) else _euros(amount)])
                written += 1
            amount_total = sum(a for _, a in cells.values())
            writer.writerow(
                [month, "TOTAL", "Toutes certifications", total, "" if total == SUPPRESSED else _euros(amount_total)]
            )
    return written


def age_class(birth: dt.date, on: dt.date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high in AGE_CLASSES:
        if low <= age <= high:
            return f"{low} ans et plus" if high >= 200 else f"{low}-{high} ans"
    return "moins de 16 ans"


def holders_table(dimension: str, *, on: dt.date) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    if dimension == "region":
        region_of = dict(Commune.objects.exclude(region_code="").values_list("insee_code", "region_code"))
        for insee, n in Holder.objects.values_list("insee_code").annotate(n=Count("id")):
            code = region_of.get(insee or "", "")
            counts[REGIONS.get(code, UNKNOWN)] += n
    elif dimension == "sex":
        labels = {"M": "Homme", "F": "Femme"}
        for sex, n in Holder.objects.values_list("sex").annotate(n=Count("id")):
            counts[labels.get(sex, UNKNOWN)] += n
    elif dimension == "age":
        for birth in Holder.objects.values_list("birth_date", flat=True).iterator():
            counts[age_class(birth, on)] += 1
    elif dimension == "situation":
        for seeker, n in Holder.objects.values_list("is_job_seeker").annotate(n=Count("id")):
            counts["Demandeur d'emploi" if seeker else "Autre situation"] += n
    else:
        raise ValueError(dimension)
    return dict(sorted(counts.items()))


HOLDER_FILES = {
    "region": ("titulaires_par_region.csv", "region"),
    "sex": ("titulaires_par_sexe.csv", "sexe"),
    "age": ("titulaires_par_classe_age.csv", "classe_age"),
    "situation": ("titulaires_par_situation.csv", "situation"),
}


def export_all(outdir: Path, *, on: dt.date) -> dict[str, int]:
    """Write every dataset into `outdir`; returns {file name: data rows}."""
    outdir.mkdir(parents=True, exist_ok=True)
    done = {
        "achats_par_certification_par_mois.csv": purchases_by_certification_month(
            outdir / "achats_par_certification_par_mois.csv"
        )
    }
    for dimension, (name, column) in HOLDER_FILES.items():
        counts = holders_table(dimension, on=on)
        published, total = suppress(counts)
        with (outdir / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csvsafe.writer(fh, delimiter=";")
            writer.writerow([column, "titulaires"])
            for label in counts:
                writer.writerow([label, published[label]])
            writer.writerow(["TOTAL", total])
        done[name] = len(counts)
    return done
