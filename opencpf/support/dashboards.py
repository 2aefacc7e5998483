"""The operator's dashboards: figures over a period, optionally for one region (the holder's commune or the
session's place). Each table is a list of rows with French headers, shared by the page, its SVG chart and
its CSV export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from opencpf.catalogue.geo import DEPARTMENTS, REGIONS
from opencpf.catalogue.models import Commune
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier

REGION_BASES = {"holder": "Région du titulaire", "session": "Région du lieu de la session"}
COMMITTED_STATES = (
    DossierState.ACCEPTED,
    DossierState.IN_TRAINING,
    DossierState.TERMINATED,
    DossierState.SERVICE_DONE_DECLARED,
    DossierState.SERVICE_DONE_VALIDATED,
)
CANCELLED_STATES = (
    DossierState.CANCELED_BY_ATTENDEE,
    DossierState.CANCELED_BY_ATTENDEE_NOT_REALIZED,
    DossierState.CANCELED_BY_ORGANISM,
    DossierState.REJECTED_WITHOUT_TITULAIRE_SUITE,
)
NO_SHOW_STATE = DossierState.CANCELED_BY_ATTENDEE_NOT_REALIZED


@dataclass(frozen=True)
class Filters:
    date_from: dt.date
    date_to: dt.date
    region: str = ""
    region_basis: str = "holder"


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    money_columns: tuple[int, ...] = ()
    chart: list[tuple[str, int]] = field(default_factory=list)  # (label, value) for the bar chart
    chart_money: bool = False
    note: str = ""


def region_departments(region: str) -> list[str]:
    return [code for code, (_, reg) in DEPARTMENTS.items() if reg == region]


def dossiers_in(filters: Filters) -> QuerySet[Dossier]:
    qs = Dossier.objects.filter(requested_at__date__gte=filters.date_from, requested_at__date__lte=filters.date_to)
    if filters.region and filters.region in REGIONS:
        if filters.region_basis == "session":
            qs = qs.filter(
                Q(offer__commune__region_code=filters.region)
                | Q(offer__commune__isnull=True, offer__department_code__in=region_departments(filters.region))
            )
        else:
            communes = Commune.objects.filter(region_code=filters.region).values("insee_code")
            qs = qs.filter(holder__insee_code__in=communes)
    return qs


def dossiers_per_day(filters: Filters) -> Table:
    states = list(DossierState)
    rows = (
        dossiers_in(filters)
        .annotate(day=TruncDate("requested_at"))
        .values("day", "state")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    by_day: dict[dt.date, dict[str, int]] = {}
    for r in rows:
        by_day.setdefault(r["day"], {})[r["state"]] = r["n"]
    used = [s for s in states if any(s.value in counts for counts in by_day.values())]
    table = Table(
        "dossiers_par_jour", "Dossiers par jour de demande et par état", ["Jour", *[s.label for s in used], "Total"]
    )
    for day, counts in sorted(by_day.items()):
        values = [counts.get(s.value, 0) for s in used]
        table.rows.append([day.isoformat(), *values, sum(values)])
        table.chart.append((day.strftime("%d/%m"), sum(values)))
    return table


def amounts(filters: Filters) -> Table:
    qs = dossiers_in(filters)
    agg = qs.aggregate(
        reserved=Sum("reserved_cents", filter=Q(state__in=COMMITTED_STATES)),
        captured=Sum("captured_cents"),
        due=Sum("due_cents"),
        paid=Sum("paid_cents"),
    )
    table = Table("montants", "Montants engagés et payés", ["Montant", "Euros"], money_columns=(1,), chart_money=True)
    for key, label in (
        ("reserved", "Engagés (réservés sur les dossiers acceptés et suivants)"),
        ("captured", "Débités à l'entrée en formation"),
        ("due", "Dus aux organismes"),
        ("paid", "Payés aux organismes"),
    ):
        value = int(agg[key] or 0)
        table.rows.append([label, value])
        table.chart.append((label.split(" (")[0], value))
    return table


def cancellations(filters: Filters) -> Table:
    qs = dossiers_in(filters)
    total = qs.count()
    counts = dict(qs.filter(state__in=CANCELLED_STATES).values_list("state").annotate(n=Count("id")))
    table = Table(
        "annulations",
        "Annulations et absences",
        ["Motif", "Dossiers", "Part des dossiers (%)"],
        note="« Non réalisé » : le titulaire ne s'est pas présenté (absence).",
    )
    for state in CANCELLED_STATES:
        n = int(counts.get(state.value, 0))
        share = f"{100 * n / total:.1f}".replace(".", ",") if total else "0,0"
        table.rows.append([state.label, n, share])
        table.chart.append((state.label, n))
    return table


def ratings(filters: Filters) -> Table:
    """How many scores of each value (1 to 5) each criterion received, for ratings of the period's dossiers."""
    from opencpf.reviews.enums import CRITERIA, MAX_SCORE, MIN_SCORE
    from opencpf.reviews.models import Rating

    qs = Rating.objects.filter(dossier__in=dossiers_in(filters).values("pk"))
    counts = {name: dict(qs.values_list(name).annotate(n=Count("pk")).order_by()) for name, _ in CRITERIA}
    table = Table("evaluations", "Répartition des évaluations", ["Note", *(label for _, label in CRITERIA), "Total"])
    for value in range(MIN_SCORE, MAX_SCORE + 1):
        per = [int(counts[name].get(value, 0)) for name, _ in CRITERIA]
        table.rows.append([value, *per, sum(per)])
        table.chart.append((str(value), sum(per)))
    return table


def top_certifications(filters: Filters, *, limit: int = 10) -> Table:
    rows = (
        dossiers_in(filters)
        .values("training__certification__code", "training__certification__title")
        .annotate(n=Count("id"), amount=Sum("price_cents"))
        .order_by("-n", "training__certification__code")[:limit]
    )
    table = Table(
        "certifications",
        "Certifications les plus demandées",
        ["Code", "Certification", "Dossiers", "Montant des formations (€)"],
        money_columns=(3,),
    )
    for r in rows:
        code = r["training__certification__code"]
        table.rows.append([code, r["training__certification__title"], r["n"], int(r["amount"] or 0)])
        table.chart.append((code, r["n"]))
    return table


def alerts_open(filters: Filters) -> Table:
    from opencpf.trust.models import Alert, AlertStatus

    rows = (
        Alert.objects.filter(status__in=[AlertStatus.NEW, AlertStatus.INVESTIGATING])
        .filter(created_at__date__gte=filters.date_from, created_at__date__lte=filters.date_to)
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("-n", "rule")
    )
    table = Table(
        "alertes",
        "Alertes ouvertes par règle",
        ["Règle", "Alertes ouvertes"],
        note="Alertes créées dans la période et non encore décidées ; le filtre de région ne s'y applique pas.",
    )
    for r in rows:
        table.rows.append([r["rule"], r["n"]])
        table.chart.append((r["rule"], r["n"]))
    return table


def all_tables(filters: Filters) -> list[Table]:
    tables = [dossiers_per_day(filters), amounts(filters), cancellations(filters)]
    rated = ratings(filters)
    if rated is not None:
        tables.append(rated)
    tables += [top_certifications(filters), alerts_open(filters)]
    return tables


def table_named(name: str, filters: Filters) -> Table | None:
    return next((t for t in all_tables(filters) if t.name == name), None)
