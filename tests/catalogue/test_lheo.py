"""LHEO 2.2 / 2.3 import and 2.3 export: XSD validity, round trip, errors with line and path, safe parsing."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from opencpf.catalogue import services
from opencpf.catalogue.exceptions import LheoError
from opencpf.catalogue.lheo.importer import import_lheo_bytes
from opencpf.catalogue.lheo.reader import read_document
from opencpf.catalogue.lheo.writer import trainings_for_export, write_lheo
from opencpf.catalogue.models import Certification, Offer, OfferChange, Provider, Session, Training
from tests.catalogue.conftest import XSD, data_file, make_certification, make_offer, make_provider, permit

pytestmark = pytest.mark.django_db


def export_bytes() -> bytes:
    buf = io.BytesIO()
    write_lheo(buf, trainings_for_export())
    return buf.getvalue()


def xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(data_file("lheo", "lheo-2.3.xsd"))))


def build_catalogue() -> None:
    english = make_certification("RNCP35185")
    excel = make_certification("RS5063", title="Tableur")
    permis = Certification.objects.create(code="PERMIS-B", kind="OTHER", title="Permis B", is_active=True)
    lyon = make_provider()
    paris = make_provider("35600000000048", name="Académie Durand Paris")
    for p, c in ((lyon, english), (lyon, excel), (paris, english)):
        permit(p, c)
    make_offer(lyon, english, ref="A1", training_ref="F1")
    make_offer(
        lyon,
        english,
        ref="A2",
        training_ref="F1",
        modality="distance",
        address="",
        postcode="",
        city="",
        insee_code="",
        latitude=None,
        longitude=None,
        disability_details="x" * 400,
    )
    services.offer_create(
        provider=lyon,
        actor=None,
        certification=excel,
        training_reference="F2",
        offer_reference="B1",
        training={
            "title": "Excel – tableaux croisés",
            "objectives": "",
            "content": "Tableaux",
            "expected_results": "",
            "prerequisites": "Savoir utiliser un ordinateur",
            "has_prerequisites": True,
            "formacode_codes": ["70322"],
            "nsf_codes": ["326", "110f"],
            "rome_codes": [],
            "entry_level": 4,
            "exit_level": None,
            "certifinfo_code": "93561",
        },
        offer={
            "modality": "mixed",
            "address": "5 place Bellecour, bâtiment B, 2e étage",
            "postcode": "69002",
            "city": "Lyon",
            "insee_code": "69382",
            "hours_total": 21,
            "hours_centre": 14,
            "hours_company": 7,
            "price_incl_tax_cents": 99_000,
            "price_excl_tax_cents": 82_500,
            "disability_access": False,
        },
    )
    make_offer(paris, permis, ref="P1", training_ref="PB", postcode="75011", city="Paris", insee_code="75056")
    for i, offer in enumerate(Offer.objects.order_by("pk")):
        for j in range(2):
            start = dt.date(2026, 4, 1) + dt.timedelta(days=30 * j + i)
            services.session_create(
                offer=offer,
                actor=None,
                reference=f"S{j}",
                start_date=start,
                end_date=start + dt.timedelta(days=9),
                is_recruiting=j == 0,
                capacity=12 if j else None,
            )


def snapshot() -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for t in Training.objects.select_related("provider", "certification"):
        key = (t.provider.siret, t.reference)
        out[key] = {
            f: getattr(t, f)
            for f in (
                "title",
                "objectives",
                "content",
                "expected_results",
                "prerequisites",
                "has_prerequisites",
                "formacode_codes",
                "nsf_codes",
                "rome_codes",
                "entry_level",
                "exit_level",
                "certifinfo_code",
            )
        }
        out[key]["certification"] = t.certification.code
        for o in t.offers.all():
            okey = (*key, o.reference)
            out[okey] = {f: getattr(o, f) for f in services.offers.OFFER_FIELDS}
            out[okey]["sessions"] = sorted(
                (s.reference, s.start_date, s.end_date, s.is_recruiting, s.capacity) for s in o.sessions.all()
            )
    return out


def test_export_validates_against_the_xsd(frozen_clock):
    build_catalogue()
    data = export_bytes()
    doc = etree.fromstring(data)
    schema = xsd()
    assert schema.validate(etree.ElementTree(doc)), schema.error_log
    assert doc.tag == "{http://lheo.gouv.fr/2.3}lheo"
    assert len(doc.findall(".//{*}formation")) == 3 and len(doc.findall(".//{*}session")) == 8


def test_round_trip_export_then_import_gives_the_same_catalogue(frozen_clock):
    build_catalogue()
    before = snapshot()
    data = export_bytes()
    OfferChange.objects.all().delete()
    Session.objects.all().delete()
    Offer.objects.all().delete()
    Training.objects.all().delete()
    report = import_lheo_bytes(data, xsd_path=str(XSD) if XSD.exists() else None)
    assert report.ok, report.rejected
    assert (report.imported, report.offers_created, report.sessions_created) == (3, 4, 8)
    assert snapshot() == before
    # Importing the same file again updates in place: same catalogue, nothing duplicated.
    report = import_lheo_bytes(data)
    assert (report.offers_created, report.offers_updated, report.offers_unchanged, report.sessions_created) == (
        0,
        0,
        4,
        0,
    )
    assert OfferChange.objects.filter(action="updated").count() == 0
    assert snapshot() == before


def test_import_lheo_22_example_file(frozen_clock):
    make_certification("RNCP474", title="BTS Négociation et relation client")
    out = StringIO()
    call_command("import_lheo", str(data_file("lheo", "example-onisep-bts-lheo22.xml")), "--quiet", stdout=out)
    assert "LHEO 2.2 : 1 formation(s) lue(s), 1 importée(s)" in out.getvalue()
    provider = Provider.objects.get(siret="19290076900014")
    assert provider.status == "pending" and provider.name == "Lycée Kerneuzec"
    t = Training.objects.get(provider=provider, reference="9436_18706")
    assert t.title == "BTS négociation et relation client" and t.certifinfo_code == "19004"
    assert (
        t.formacode_codes == ["34582", "34076"]
        and t.nsf_codes == ["312"]
        and t.rome_codes == ["D1402", "D1403", "D1408"]
    )
    assert (t.entry_level, t.exit_level) == (None, 6)  # 0 = not given
    o = t.offers.get()
    assert (o.city, o.postcode, o.insee_code, o.latitude) == ("QUIMPERLÉ", "29391", "29233", 47.882108)
    s = o.sessions.get()
    assert (s.start_date, s.end_date) == (dt.date(2015, 9, 1), dt.date(2017, 8, 31))
    assert not o.is_published  # pending provider, no price: the command lists why
    assert "non publiée : l'organisme n'est pas référencé" in out.getvalue()


BROKEN_23 = b"""<?xml version="1.0" encoding="UTF-8"?>
<lheo xmlns="http://lheo.gouv.fr/2.3">
<offres>
%s
</offres>
</lheo>"""


def _formation(numero: str, *, debut: str = "20260401", title: str = "Anglais") -> bytes:
    return f"""<formation numero="{numero}">
<domaine-formation><code-FORMACODE>15234</code-FORMACODE></domaine-formation>
<intitule-formation>{title}</intitule-formation>
<objectif-formation>Parler</objectif-formation><resultats-attendus>TOEIC</resultats-attendus><contenu-formation>Oral</contenu-formation>
<certifiante>1</certifiante>
<contact-formation><coordonnees/></contact-formation>
<parcours-de-formation>1</parcours-de-formation>
<code-niveau-entree>0</code-niveau-entree>
<certification><code-RNCP>35185</code-RNCP></certification>
<action numero="A-{numero}">
<rythme-formation>Temps plein</rythme-formation><code-public-vise>81061</code-public-vise>
<niveau-entree-obligatoire>0</niveau-entree-obligatoire><modalites-alternance>-</modalites-alternance>
<modalites-enseignement>2</modalites-enseignement><conditions-specifiques>-</conditions-specifiques>
<prise-en-charge-frais-possible>1</prise-en-charge-frais-possible><modalites-entrees-sorties>0</modalites-entrees-sorties>
<session numero="S1"><periode><debut>{debut}</debut><fin>20260410</fin></periode>
<adresse-inscription><adresse><ligne>1 rue A</ligne><codepostal>69002</codepostal><ville>Lyon</ville></adresse></adresse-inscription></session>
<prix-total-TTC>900.00</prix-total-TTC><nombre-heures-total>30</nombre-heures-total>
</action>
<organisme-formation-responsable><numero-activite>84691234569</numero-activite>
<SIRET-organisme-formation><SIRET>73282932000074</SIRET></SIRET-organisme-formation>
<nom-organisme>FormaPro Lyon</nom-organisme><raison-sociale>FormaPro Lyon</raison-sociale>
<coordonnees-organisme><coordonnees/></coordonnees-organisme><contact-organisme><coordonnees/></contact-organisme>
</organisme-formation-responsable>
</formation>""".encode()


def test_errors_name_line_and_path_and_nothing_is_imported(provider, cert, permitted, frozen_clock):
    data = BROKEN_23 % (_formation("F1") + _formation("F2", debut="2026-04-01"))
    report = import_lheo_bytes(data)
    assert not report.ok and report.imported == 0
    assert report.rejected == {
        "F2": [
            "ligne 41, /lheo/offres/formation[2]/action[1]/session[1]/periode/debut : date « 2026-04-01 » au format AAAAMMJJ attendue"
        ]
    }
    assert not Training.objects.exists()  # all or nothing


def test_partial_imports_the_valid_formations(provider, cert, permitted, frozen_clock, tmp_path: Path):
    data = BROKEN_23 % (_formation("F1") + _formation("F2", debut="2026-04-01"))
    path = tmp_path / "offres.xml"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_lheo", str(path), "--quiet", stdout=StringIO())
    assert not Training.objects.exists()
    out = StringIO()
    call_command("import_lheo", str(path), "--partial", "--quiet", stdout=out)
    assert "2 formation(s) lue(s), 1 importée(s)" in out.getvalue()
    assert "formation F2 rejetée" in out.getvalue() and "ligne 41" in out.getvalue()
    offer = Offer.objects.get(training__reference="F1")
    assert offer.is_published and offer.price_incl_tax_cents == 90_000 and offer.modality == "distance"


def test_xsd_validation_of_23_documents(provider, cert, permitted, frozen_clock):
    schema_path = data_file("lheo", "lheo-2.3.xsd")
    data = (BROKEN_23 % _formation("F1")).replace(b"<code-public-vise>81061<", b"<code-public-vise>8106<")
    assert import_lheo_bytes(data).ok  # our structural checks do not know every facet...
    report = import_lheo_bytes(data, xsd_path=str(schema_path))  # ...the XSD does
    (problem,) = report.rejected["F1"]
    assert problem.startswith("ligne 14, /lheo/offres/formation[1]/action[1]/code-public-vise : XSD : ")
    assert "minLength" in problem or "length" in problem


def test_missing_required_element(provider, cert, permitted, frozen_clock):
    data = (BROKEN_23 % _formation("F1")).replace(b"<intitule-formation>Anglais</intitule-formation>", b"")
    report = import_lheo_bytes(data)
    assert report.rejected == {
        "F1": ["ligne 4, /lheo/offres/formation[1] : élément obligatoire <intitule-formation> absent"]
    }


def test_unknown_certification_rejects_the_formation(provider, frozen_clock):
    report = import_lheo_bytes(BROKEN_23 % _formation("F1"))
    assert report.rejected == {"F1": ["ligne 4 : certification « RNCP35185 » inconnue du répertoire"]}


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (
            b"<lheo xmlns='http://example.org/lheo'><offres/></lheo>",
            "lheo_namespace",
            "Espace de noms « http://example.org/lheo » non reconnu",
        ),
        (b"<lheo xmlns='http://lheo.gouv.fr/2.3'><offres></lheo>", "lheo_invalid", "XML mal formé (ligne 1)"),
        (
            b"""<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&d;</offres></lheo>""",
            "lheo_unsafe",
            "Le document contient des entités",
        ),
        (
            b"""<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&x;</offres></lheo>""",
            "lheo_unsafe",
            "Le document contient des entités",
        ),
        (
            b"""<?xml version="1.0"?><!DOCTYPE lheo SYSTEM "http://127.0.0.1:9/evil.dtd">
<lheo xmlns="http://lheo.gouv.fr/2.3"><offres/></lheo>""",
            "lheo_unsafe",
            "Le document contient une déclaration DOCTYPE",
        ),
    ],
)
def test_malformed_and_hostile_documents_are_refused(db, payload, code, message):
    with pytest.raises(LheoError) as exc:
        read_document(payload)
    assert exc.value.code == code
    assert exc.value.message.startswith(message)
    assert "root:" not in exc.value.message


def test_command_reports_unsafe_file(db, tmp_path: Path):
    path = tmp_path / "xxe.xml"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><l>&x;</l>')
    with pytest.raises(CommandError, match="refusé par sécurité"):
        call_command("import_lheo", str(path), "--quiet")


def test_export_command_writes_a_file(frozen_clock, tmp_path: Path):
    build_catalogue()
    out = StringIO()
    path = tmp_path / "catalogue.xml"
    call_command("export_lheo", "-o", str(path), "--quiet", stdout=out)
    assert "3 formation(s) exportée(s)" in out.getvalue()
    assert xsd().validate(etree.parse(str(path)))


def test_entities_hidden_in_utf16_are_refused_after_parsing(db):
    payload = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE lheo [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>&b;</offres></lheo>'
    ).encode("utf-16")
    with pytest.raises(LheoError) as exc:
        read_document(payload)
    assert exc.value.code == "lheo_unsafe"


TEXT = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120)
    .map(str.strip)
    .filter(lambda x: x not in ("", "-"))
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=TEXT,
    objectives=TEXT,
    address=st.lists(TEXT, min_size=1, max_size=3).map(", ".join),
    city=TEXT.map(lambda c: c[:50].strip() or "x"),
    price=st.integers(100, 5_000_000),
    hours=st.integers(1, 3000),
    capacity=st.none() | st.integers(0, 500),
)
def test_round_trip_property(
    provider, cert, permitted, frozen_clock, title, objectives, address, city, price, hours, capacity
):
    Session.objects.all().delete()
    OfferChange.objects.all().delete()
    Offer.objects.all().delete()
    Training.objects.all().delete()
    offer = services.offer_create(
        provider=provider,
        actor=None,
        certification=cert,
        training_reference="F1",
        offer_reference="A1",
        training={"title": title, "objectives": objectives},
        publish=False,
        offer={
            "modality": "in_person",
            "address": address[:300],
            "postcode": "69002",
            "city": city,
            "insee_code": "69382",
            "hours_total": hours,
            "hours_centre": 0,
            "price_incl_tax_cents": price,
            "price_excl_tax_cents": price,
        },
    )
    services.session_create(
        offer=offer,
        actor=None,
        reference="S1",
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 4, 2),
        capacity=capacity,
    )
    before = snapshot()
    data = export_bytes()
    if XSD.exists():
        assert xsd().validate(etree.ElementTree(etree.fromstring(data)))
    Session.objects.all().delete()
    OfferChange.objects.all().delete()
    Offer.objects.all().delete()
    Training.objects.all().delete()
    report = import_lheo_bytes(data)
    assert report.ok, report.rejected
    assert snapshot() == before
