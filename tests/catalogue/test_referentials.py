"""Referential imports on the real files of ../shared/data: counts, known records, idempotency, rejections."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from opencpf.catalogue.importers.referentials import import_communes
from opencpf.catalogue.models import Certification, Certifier, Commune, Formacode, Nsf, RomeJob, RomeTitle, SkillBlock
from tests.catalogue.conftest import data_file

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--quiet", stdout=out)
    return out.getvalue()


def test_import_certifications_real_files():
    directory = data_file("certifications")
    out = run("import_certifications", str(directory))
    assert "Certifications : 17369 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    assert "Blocs de compétences : 16454 créé(s)" in out
    # The RNCP-to-ROME file holds truncated codes ("B11"): rejected with their line and reason.
    assert "code ROME invalide « B11 »" in out
    assert Certification.objects.count() == 17369
    assert Certification.objects.filter(is_active=True).count() == 4481
    c = Certification.objects.get(code="RNCP34001")
    assert (c.title, c.kind, c.level, c.is_active, c.valid_until) == (
        "Agent d'accueil des voyageurs",
        "RNCP",
        4,
        True,
        dt.date(2024, 5, 24),
    )
    assert c.rome_codes == ["A1101", "G1101", "N2201"] and c.nsf_codes == ["311", "334"]
    assert [x.name for x in c.certifiers.all()] == ["INSTITUT AERO FORMATIONS"]
    imp = Certification.objects.get(code="RNCP10013")
    assert imp.type_label == "Titre professionnel" and imp.nsf_codes == ["312m"]
    assert list(imp.skill_blocks.values_list("code", flat=True)) == ["RNCP10013BC01", "RNCP10013BC02", "RNCP10013BC03"]
    assert sorted(imp.certifiers.values_list("name", flat=True)) == [
        "Ministère chargé de l'Emploi",
        "Ministère du travail",
    ]
    assert Certification.objects.get(code="RNCP1000").is_active is False
    assert SkillBlock.objects.count() == 16454 and Certifier.objects.count() == 3589
    assert Nsf.objects.get(code="312").label == "Commerce, vente"
    # Idempotent: a second run creates and updates nothing.
    again = run("import_certifications", str(directory))
    assert "Certifications : 0 créé(s), 0 mis à jour, 17369 inchangé(s)" in again
    assert "Certificateurs : 0 créé(s), 0 mis à jour, 3589 inchangé(s)" in again
    assert Certification.objects.count() == 17369 and Certification.certifiers.through.objects.count() == 35240


def test_import_formacode_and_nsf_real_files():
    out = run(
        "import_formacode",
        str(data_file("formacode", "formacode_description.csv")),
        "--nsf",
        str(data_file("formacode", "lheo-dict-NSF.xml")),
    )
    assert "Formacode : 3379 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    assert "NSF : 93 créé(s)" in out
    f = Formacode.objects.get(code="34582")
    assert (f.label, f.field, f.parent_code) == ("négociation commerciale", "345 COMMERCE", "34573")
    assert Nsf.objects.get(code="100").label == "Formations générales"
    assert "Formacode : 0 créé(s), 0 mis à jour, 3379 inchangé(s)" in run(
        "import_formacode", str(data_file("formacode", "formacode_description.csv"))
    )


def test_import_rome_real_files():
    out = run("import_rome", str(data_file("rome")))
    assert "Métiers ROME : 1584 créé(s)" in out and "Appellations ROME : 13120 créé(s)" in out
    assert RomeJob.objects.get(code="A1101").title == "Conducteur / Conductrice d'engins agricoles"
    assert RomeTitle.objects.get(ogr_code="10200").rome_code == "F1402"
    assert "Métiers ROME : 0 créé(s), 0 mis à jour, 1584 inchangé(s)" in run("import_rome", str(data_file("rome")))


def test_import_communes_real_file():
    path = data_file("geo", "france_cities_2022.csv")
    out = run("import_communes", str(path))
    assert "Communes : 35000 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    lyon = Commune.objects.get(insee_code="69123")
    assert (lyon.name, lyon.department_code, lyon.region_code, lyon.postcodes) == ("Lyon", "69", "84", ["69000"])
    assert lyon.latitude == pytest.approx(45.7699, abs=1e-3) and lyon.longitude == pytest.approx(4.8292, abs=1e-3)
    assert Commune.objects.get(insee_code="69382").district_of == "69123"
    assert Commune.objects.get(insee_code="2A004").name == "Ajaccio"
    assert "Communes : 0 créé(s), 0 mis à jour, 35000 inchangé(s)" in run("import_communes", str(path))


def test_updates_and_rejections_are_reported(tmp_path: Path):
    csv = tmp_path / "communes.csv"
    header = '"ID","REF_INSEE","NAME","SLUG","NORMALIZED","DEPARTMENT","REGION","IS_DISTRICT","DISTRICT_OF","ZIP_CODES","LATITUDE","LONGITUDE"\n'
    csv.write_text(
        header + '"1","69123","Lyon","lyon","lyon","69","84","0",,"69001|69002","45.76","4.83"\n'
        '"2","ABCDE","Nulle part","x","x","00","00","0",,"","",""\n'
        '"3","75056","Paris","paris","paris","75","11","0",,"75001","lat","2.3"\n',
        encoding="utf-8",
    )
    s = import_communes(csv)
    assert (s.created, s.updated, [r[1] for r in s.rejected]) == (
        1,
        0,
        ["code INSEE invalide « ABCDE »", "coordonnées illisibles"],
    )
    assert Commune.objects.get(insee_code="69123").postcodes == ["69001", "69002"]
    csv.write_text(
        header + '"1","69123","Lyon","lyon","lyon","69","84","0",,"69001","45.76","4.83"\n', encoding="utf-8"
    )
    s = import_communes(csv)
    assert (s.created, s.updated, s.unchanged) == (0, 1, 0)


def test_command_refuses_missing_directory(tmp_path: Path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Aucun fichier rncp"):
        run("import_certifications", str(tmp_path))
