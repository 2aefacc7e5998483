"""Every importer fed truncated, oversized, wrongly encoded and hostile files: a clear French error, nothing
imported, no crash (declarations, LHEO through the service and the API, referentials and their commands)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencpf.catalogue.exceptions import LheoError, ReferentialFileError
from opencpf.catalogue.importers.referentials import (
    import_certifications,
    import_communes,
    import_formacode,
    import_nsf_dict,
    import_rome,
)
from opencpf.catalogue.lheo import safe
from opencpf.catalogue.lheo.importer import import_lheo_bytes
from opencpf.catalogue.lheo.writer import trainings_for_export, write_lheo
from opencpf.catalogue.models import Certification, Commune, Formacode, Offer, RomeJob, RomeTitle, Session, Training
from opencpf.catalogue.services import session_create
from opencpf.identity.tokens import provider_api_key_create
from opencpf.rights.declarations import FIELDS, declarations_import, rejection_report
from opencpf.rights.models import Declaration
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit
from tests.rights.helpers import SIRET_A, make_nir

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lheo [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres><formation>&d;</formation></offres></lheo>"""
HOSTILE_XML = {
    "billion_laughs": BILLION_LAUGHS,
    "external_entity": b'<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&x;</offres></lheo>',
    "parameter_entity": b'<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
    b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres/></lheo>',
    "external_dtd": b'<?xml version="1.0"?><!DOCTYPE lheo SYSTEM "http://127.0.0.1:9/evil.dtd">'
    b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres/></lheo>',
    "utf16_laughs": BILLION_LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
    .decode()
    .encode("utf-16"),
    "xinclude": b'<?xml version="1.0"?><lheo xmlns="http://lheo.gouv.fr/2.3" xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<offres><xi:include href="file:///etc/passwd" parse="text"/></offres></lheo>',
}


# --- LHEO ------------------------------------------------------------------------------------------------


@pytest.fixture
def lheo_document(frozen_clock: Any) -> bytes:
    """A valid LHEO 2.3 export of one offer with a session, then the catalogue emptied of it."""
    provider = make_provider()
    cert = make_certification()
    permit(provider, cert)
    offer = make_offer(provider, cert)
    session_create(
        offer=offer,
        actor=None,
        source="test",
        reference="S1",
        start_date=frozen_clock.today(),
        end_date=frozen_clock.today(),
    )
    buf = io.BytesIO()
    write_lheo(buf, trainings_for_export())
    Session.objects.all().delete()
    Offer.objects.all().delete()
    Training.objects.all().delete()
    return buf.getvalue()


def _nothing_in_catalogue() -> bool:
    return not (Training.objects.exists() or Offer.objects.exists() or Session.objects.exists())


def test_the_valid_lheo_document_imports(lheo_document: bytes) -> None:
    report = import_lheo_bytes(lheo_document)
    assert report.imported == 1 and not report.rejected


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9])
def test_truncated_lheo_is_refused(lheo_document: bytes, cut: float) -> None:
    with pytest.raises(LheoError) as refused:
        import_lheo_bytes(lheo_document[: int(len(lheo_document) * cut)])
    assert "XML mal formé (ligne" in refused.value.message
    assert _nothing_in_catalogue()


def test_wrongly_encoded_lheo_is_refused(lheo_document: bytes) -> None:
    latin1 = lheo_document.decode().encode("latin-1", errors="replace")  # still declared UTF-8
    assert latin1 != lheo_document
    with pytest.raises(LheoError) as refused:
        import_lheo_bytes(latin1)
    assert "XML mal formé" in refused.value.message
    assert _nothing_in_catalogue()


def test_oversized_lheo_is_refused_before_parsing(lheo_document: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe, "MAX_BYTES", len(lheo_document) - 1)
    with pytest.raises(LheoError) as refused:
        import_lheo_bytes(lheo_document)
    assert "taille maximale" in refused.value.message
    assert _nothing_in_catalogue()


@pytest.mark.parametrize("name", sorted(set(HOSTILE_XML) - {"xinclude"}))
def test_hostile_lheo_is_refused(name: str) -> None:
    with pytest.raises(LheoError) as refused:
        import_lheo_bytes(HOSTILE_XML[name])
    assert refused.value.code in ("lheo_unsafe", "lheo_invalid"), refused.value.message
    assert "root:" not in refused.value.message  # nothing of /etc/passwd leaks into the error
    assert _nothing_in_catalogue()


def test_xinclude_is_never_processed() -> None:
    report = import_lheo_bytes(HOSTILE_XML["xinclude"])
    assert report.imported == 0 and report.rejected
    assert "root:" not in str(report.rejected)
    assert _nothing_in_catalogue()


@pytest.mark.parametrize("name", ["billion_laughs", "external_entity", "truncated"])
def test_bad_lheo_through_the_api_is_problem_json(client: Any, lheo_document: bytes, name: str) -> None:
    provider = Training.objects.none().model._meta.get_field("provider").related_model.objects.get()
    _, key = provider_api_key_create(provider=provider, name="ERP", by=None)
    body = lheo_document[: len(lheo_document) // 2] if name == "truncated" else HOSTILE_XML[name]
    response = client.post("/api/v1/catalogue/lheo", data=body, content_type="application/xml", HTTP_X_API_KEY=key)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] in ("lheo_unsafe", "lheo_invalid")
    assert _nothing_in_catalogue()


# --- Declarations -----------------------------------------------------------------------------------------


def _declarations_csv(rows: int = 3) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, delimiter=";")
    writer.writeheader()
    for i in range(rows):
        writer.writerow(
            {f: "" for f in FIELDS}
            | {
                "declaration_id": f"D{i}",
                "employer_siret": SIRET_A,
                "nir": make_nir(5000 + i),
                "year": 2025,
                "paid_hours": "1607",
                "reference_hours": "1607",
                "low_qualification": "0",
            }
        )
    return out.getvalue()


def _import(tmp_path: Path, data: bytes, name: str = "declarations.csv") -> Any:
    path = tmp_path / name
    path.write_bytes(data)
    return declarations_import(path=path)


def test_the_valid_declarations_file_imports(tmp_path: Path) -> None:
    assert _import(tmp_path, _declarations_csv().encode()).created == 3


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        ("latin-1", ("\u00e9" + _declarations_csv()).encode("latin-1"), "non encodé en UTF-8"),
        ("utf-16", _declarations_csv().encode("utf-16"), "UTF-8"),
        ("binary", b"PK\x03\x04\x00\x00\x00binary", "caractères nuls"),
        ("huge field", (_declarations_csv(1) + "x" * 300_000 + ";1\n").encode(), "CSV illisible"),
        ("header only, truncated", _declarations_csv(0)[:40].encode(), "en-tête incomplet"),
        ("json truncated", b'[{"declaration_id": "D1", "nir": "1', "JSON illisible"),
        ("json bomb", b"[" * 100_000 + b"]" * 100_000, "JSON illisible"),
    ],
)
def test_unreadable_declarations_file_is_refused_whole(tmp_path: Path, case: str, data: bytes, message: str) -> None:
    result = _import(tmp_path, data)
    assert result.created == 0 and not Declaration.objects.exists()
    assert any(message in reason for _, reason in result.rejected), result.rejected


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_truncated_declarations_file_is_refused_whole(tmp_path: Path, suffix: str) -> None:
    if suffix == ".csv":
        text = _declarations_csv(3)
        cut = text[: text.rindex(SIRET_A) + 5]  # the last line stops in the middle of a SIRET
    else:
        rows = list(csv.DictReader(io.StringIO(_declarations_csv(3)), delimiter=";"))
        cut = "\n".join(json.dumps(r) for r in rows)[:-20]
    result = _import(tmp_path, cut.encode(), name=f"declarations{suffix}")
    assert result.created == 0 and not Declaration.objects.exists()
    assert any("fichier tronqué" in reason for _, reason in result.rejected), result.rejected


# --- Referentials -----------------------------------------------------------------------------------------


FORMACODE = "formacode,description,field,generic_term\n15234,Anglais,Langues,15200\n"
ROME_CODES = "code_rome,libelle_rome,code_rome_parent\nM1607,Secrétariat,M16\n"
ROME_TITLES = "code_ogr,code_rome,libelle_appellation_long\n12345,M1607,Secrétaire\n"
COMMUNES = "REF_INSEE,NAME,DEPARTMENT,REGION,ZIP_CODES,LATITUDE,LONGITUDE,IS_DISTRICT,DISTRICT_OF\n69123,Lyon,69,84,69001,45.76,4.83,0,\n"


def test_valid_referentials_import(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text(FORMACODE, encoding="utf-8")
    (tmp_path / "c.csv").write_text(COMMUNES, encoding="utf-8")
    assert import_formacode(tmp_path / "f.csv").created == 1
    assert import_communes(tmp_path / "c.csv").created == 1


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        ("latin-1", FORMACODE.replace("Anglais", "Français").encode("latin-1"), "n'est pas encodé en utf-8-sig"),
        ("binary", b"\x00\x01\x02PK", "caractères nuls"),
        ("huge field", (FORMACODE + '15235,"' + "x" * 300_000 + '",L,1\n').encode(), "CSV illisible"),
    ],
)
def test_unreadable_referential_file_is_refused(tmp_path: Path, case: str, data: bytes, message: str) -> None:
    path = tmp_path / "formacode.csv"
    path.write_bytes(data)
    with pytest.raises(ReferentialFileError) as refused:
        import_formacode(path)
    assert message in refused.value.message and "formacode.csv" in refused.value.message
    assert not Formacode.objects.exists()
    with pytest.raises(CommandError, match="formacode.csv"):
        call_command("import_formacode", str(path), "--quiet")


def test_truncated_referential_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv"
    path.write_text(COMMUNES + "69381,Lyon 1er,69,84,690", encoding="utf-8")  # cut in the middle of a line
    with pytest.raises(ReferentialFileError, match="fichier tronqué"):
        import_communes(path)
    assert not Commune.objects.exists()


def test_rome_with_a_broken_titles_file_imports_nothing(tmp_path: Path) -> None:
    codes, titles = tmp_path / "code_rome.csv", tmp_path / "appellation.csv"
    codes.write_text(ROME_CODES, encoding="utf-8")
    titles.write_bytes(ROME_TITLES.encode("latin-1"))
    with pytest.raises(ReferentialFileError):
        import_rome(codes, titles)
    assert not RomeJob.objects.exists() and not RomeTitle.objects.exists()


def test_certifications_with_an_unreadable_file_import_nothing(tmp_path: Path) -> None:
    header = "CodeRNCP;intituleDiplome;date_fin_validite_enregistrement;NiveauEurope;ActiveInactive\n"
    (tmp_path / "rncp_info_2026.csv").write_text(
        header + "RNCP35185;Anglais;8/31/30;niveau5;ACTIVE\n", encoding="cp1252"
    )
    (tmp_path / "rncp_rome_2026.csv").write_bytes(b"CodeRNCP;Rome\nRNCP35185;M1607\x00\n")
    with pytest.raises(ReferentialFileError):
        import_certifications(tmp_path)
    assert not Certification.objects.exists()


@pytest.mark.parametrize("name", ["billion_laughs", "external_entity", "parameter_entity"])
def test_hostile_nsf_dictionary_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "nsf.xml"
    path.write_bytes(HOSTILE_XML[name])
    with pytest.raises(LheoError) as refused:
        import_nsf_dict(path)
    assert refused.value.code == "lheo_unsafe"


def test_rejection_report_neutralises_formulas(tmp_path: Path) -> None:
    result = _import(tmp_path, _declarations_csv(1).replace(SIRET_A, '=HYPERLINK("http://x")').encode())
    assert result.rejected
    report = tmp_path / "rejets.csv"
    rejection_report(result, report)
    for row in list(csv.reader(report.open(encoding="utf-8"), delimiter=";"))[1:]:
        assert not row[1].startswith(("=", "+", "-", "@")), row
    assert json  # the JSON cases above are written as bytes
