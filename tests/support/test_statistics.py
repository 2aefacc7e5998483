"""Published statistics: figures, small-count suppression (primary and secondary), the command's files."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from opencpf.catalogue.models import Certification, Commune
from opencpf.core import clock
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import Holder, User
from opencpf.support.statistics import SECONDARY, SUPPRESSED, age_class, suppress
from tests.enrolment.conftest import make_provider, make_session

pytestmark = pytest.mark.django_db


def test_suppression_rules():
    # Nothing small: published as is.
    assert suppress({"a": 12, "b": 30}) == ({"a": "12", "b": "30"}, "42")
    # One small cell: the smallest other non-zero cell is hidden too, so total - others reveals nothing.
    assert suppress({"a": 3, "b": 15, "c": 40, "d": 0}) == (
        {"a": SUPPRESSED, "b": SECONDARY, "c": "40", "d": "0"},
        "58",
    )
    # Two small cells protect each other.
    assert suppress({"a": 3, "b": 4, "c": 40}) == ({"a": SUPPRESSED, "b": SUPPRESSED, "c": "40"}, "47")
    # One small cell and no other cell to hide: the total is hidden.
    assert suppress({"a": 3, "b": 0}) == ({"a": SUPPRESSED, "b": "0"}, SUPPRESSED)
    assert age_class(dt.date(2000, 6, 1), dt.date(2026, 5, 31)) == "25-34 ans"
    assert age_class(dt.date(1950, 1, 1), dt.date(2026, 1, 1)) == "65 ans et plus"


def _holders(n: int, *, sex: str, insee: str, birth: dt.date, seeker: bool = False, start: int = 0) -> list[Holder]:
    made = []
    for i in range(start, start + n):
        user = User.objects.create(username=f"h{sex}{insee}{i}", kind="holder")
        made.append(
            Holder.objects.create(
                user=user,
                nir_hash=f"hash-{sex}-{insee}-{i}",
                nir_encrypted="x",
                nir_masked="x",
                birth_name="Nom",
                first_names="Prénom",
                birth_date=birth,
                sex=sex,
                insee_code=insee,
                is_job_seeker=seeker,
            )
        )
    return made


def read(path) -> list[list[str]]:  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8") as fh:
        return list(csv.reader(fh, delimiter=";"))


def test_export_statistics_writes_suppressed_csv(tmp_path):
    clock.freeze(dt.datetime(2026, 6, 1, 12, 0))
    Commune.objects.create(insee_code="69123", name="Lyon", department_code="69", region_code="84")
    Commune.objects.create(insee_code="35238", name="Rennes", department_code="35", region_code="53")
    lyon = _holders(12, sex="F", insee="69123", birth=dt.date(1990, 1, 1))
    _holders(3, sex="M", insee="35238", birth=dt.date(1960, 1, 1), seeker=True)
    _holders(11, sex="M", insee="69123", birth=dt.date(1990, 1, 1), start=100)
    provider = make_provider("73282932000074")
    session = make_session(provider, start=dt.date(2026, 7, 1))
    other = make_session(provider, start=dt.date(2026, 7, 1))
    other.offer.training.certification = Certification.objects.create(code="RNCP1", kind="RNCP", title="Paie")
    other.offer.training.save(update_fields=["certification"])
    for i, h in enumerate(lyon):
        s = session if i < 10 else other  # March: 10 of RS5000, 2 of RNCP1
        Dossier.objects.create(
            number=f"26{i:010d}",
            holder=h,
            provider=provider,
            training=s.offer.training,
            offer=s.offer,
            session=s,
            state=DossierState.ACCEPTED,
            start_date=s.start_date,
            end_date=s.end_date,
            price_cents=100_000,
            requested_at=timezone.make_aware(dt.datetime(2026, 3, 2, 10)),
            accepted_at=timezone.make_aware(dt.datetime(2026, 3, 5, 10)),
        )
    call_command("export_statistics", str(tmp_path))
    purchases = read(tmp_path / "achats_par_certification_par_mois.csv")
    assert purchases[0] == ["mois", "code_certification", "intitule_certification", "achats", "montant_euros"]
    # 2 purchases of RNCP1 are hidden, and so is RS5000's 10 (else 12 - 10 would reveal 2).
    assert purchases[1:] == [
        ["2026-03", "RNCP1", "Paie", SUPPRESSED, ""],
        ["2026-03", "RS5000", "Bureautique", SECONDARY, ""],
        ["2026-03", "TOTAL", "Toutes certifications", "12", "12000,00"],
    ]
    assert read(tmp_path / "titulaires_par_region.csv") == [
        ["region", "titulaires"],
        ["Auvergne-Rhône-Alpes", SECONDARY],  # else 26 - 23 would give Bretagne's 3 away
        ["Bretagne", SUPPRESSED],
        ["TOTAL", "26"],
    ]
    assert read(tmp_path / "titulaires_par_sexe.csv") == [
        ["sexe", "titulaires"],
        ["Femme", "12"],
        ["Homme", "14"],
        ["TOTAL", "26"],
    ]
    assert read(tmp_path / "titulaires_par_situation.csv")[1:] == [
        ["Autre situation", SECONDARY],
        ["Demandeur d'emploi", SUPPRESSED],
        ["TOTAL", "26"],
    ]
    ages = read(tmp_path / "titulaires_par_classe_age.csv")
    assert ages[1:] == [["35-44 ans", SECONDARY], ["65 ans et plus", SUPPRESSED], ["TOTAL", "26"]]
    assert not any("hash-" in c for p in tmp_path.iterdir() for row in read(p) for c in row)
