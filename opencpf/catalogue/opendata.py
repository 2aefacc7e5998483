"""The daily open data CSV: one row per training (and so per provider), with the operator's column names."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import IO, Any

from django.db.models import Avg, Count, Max, Min, Q

from opencpf.catalogue.geo import department_name, region_of
from opencpf.catalogue.models import CertificationKind, Modality, Offer, Session, Training
from opencpf.core import clock, csvsafe

COLUMNS = [
    "nom_of",
    "siret",
    "numero_formation",
    "intitule_formation",
    "points_forts",
    "type_referentiel",
    "code_rncp",
    "code_inventaire",
    "intitule_certification",
    "libelle_niveau_sortie_formation",
    "code_formacode_1",
    "code_formacode_2",
    "code_formacode_3",
    "code_formacode_4",
    "code_formacode_5",
    "code_nsf_1",
    "code_certifinfo",
    "nb_action",
    "nb_session_active",
    "nb_session_a_distance",
    "nombre_heures_total_min",
    "nombre_heures_total_max",
    "nombre_heures_total_mean",
    "frais_ttc_tot_min",
    "frais_ttc_tot_max",
    "frais_ttc_tot_mean",
    "code_departement",
    "nom_departement",
    "code_region",
    "nom_region",
]

# LHEO dict-niveaux labels (the code stored on Training.exit_level).
EXIT_LEVELS = {
    0: "Information non communiquée",
    1: "Sans niveau spécifique",
    2: "Niveau VI (illettrisme, analphabétisme)",
    3: "Niveau V bis (préqualification)",
    4: "Niveau V (CAP, BEP)",
    5: "Niveau IV (BP, BT, baccalauréat)",
    6: "Niveau III (BTS, DUT)",
    7: "Niveau II (licence, maîtrise)",
    8: "Niveau I (supérieur à la maîtrise)",
    11: "Niveau 1 (savoirs de base)",
    12: "Niveau 2",
    13: "Niveau 3 (CAP)",
}


def _euros(cents: float | int | None) -> str:
    if cents is None:
        return ""
    return f"{round(cents) / 100:.2f}"


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def write_open_data(out: IO[str], *, on: dt.date | None = None, delimiter: str = ";", progress: Any = None) -> int:
    day = on or clock.today()
    published = Offer.objects.filter(is_published=True)
    stats = {
        row["training_id"]: row
        for row in published.values("training_id").annotate(
            nb_action=Count("id"),
            hmin=Min("hours_total"),
            hmax=Max("hours_total"),
            hmean=Avg("hours_total"),
            pmin=Min("price_incl_tax_cents"),
            pmax=Max("price_incl_tax_cents"),
            pmean=Avg("price_incl_tax_cents"),
        )
    }
    sessions = {
        row["offer__training_id"]: row
        for row in Session.objects.filter(offer__is_published=True, is_recruiting=True, end_date__gte=day)
        .values("offer__training_id")
        .annotate(active=Count("id"), distance=Count("id", filter=Q(offer__modality=Modality.DISTANCE)))
    }
    departments: dict[int, Counter[str]] = defaultdict(Counter)
    for tid, dep, n in (
        published.exclude(department_code="").values_list("training_id", "department_code").annotate(n=Count("id"))
    ):
        departments[tid][dep] += n
    writer = csvsafe.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    ids = sorted(stats)
    for start in range(0, len(ids), 2000):
        chunk = (
            Training.objects.filter(pk__in=ids[start : start + 2000])
            .select_related("provider", "certification")
            .order_by("pk")
        )
        for t in chunk:
            s = stats[t.pk]
            sess = sessions.get(t.pk, {})
            cert = t.certification
            digits = cert.code[len(cert.kind) :] if cert.kind != CertificationKind.OTHER else ""
            dep = departments[t.pk].most_common(1)[0][0] if departments.get(t.pk) else ""
            region, region_name = region_of(dep)
            formacodes = (list(t.formacode_codes or []) + [""] * 5)[:5]
            writer.writerow(
                [
                    t.provider.name,
                    t.provider.siret,
                    t.reference,
                    t.title,
                    t.objectives[:1000].replace("\n", " "),
                    cert.kind if cert.kind != CertificationKind.OTHER else "",
                    digits if cert.kind == CertificationKind.RNCP else "",
                    digits if cert.kind == CertificationKind.RS else "",
                    cert.title,
                    EXIT_LEVELS.get(t.exit_level, "") if t.exit_level is not None else "",
                    *formacodes,
                    (t.nsf_codes or [""])[0],
                    t.certifinfo_code,
                    s["nb_action"],
                    sess.get("active", 0),
                    sess.get("distance", 0),
                    s["hmin"],
                    s["hmax"],
                    _num(float(s["hmean"])),
                    _euros(s["pmin"]),
                    _euros(s["pmax"]),
                    _euros(float(s["pmean"])),
                    dep,
                    department_name(dep),
                    region,
                    region_name,
                ]
            )
            count += 1
            if progress:
                progress(1)
    return count
