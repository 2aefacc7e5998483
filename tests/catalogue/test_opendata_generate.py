"""Open data CSV (the operator's column names) and generate_demo (realistic, valid identifiers, publishable)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import call_command
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from opencpf.catalogue import services
from opencpf.catalogue.generate import generate
from opencpf.catalogue.models import Commune, Offer, OfferChange, Provider, Session, Training
from opencpf.catalogue.opendata import COLUMNS, write_open_data
from opencpf.catalogue.rules import offer_publication_problems
from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

pytestmark = pytest.mark.django_db

EXPECTED_COLUMNS = [
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


def test_open_data_columns_and_values(frozen_clock):
    assert COLUMNS == EXPECTED_COLUMNS
    provider = make_provider()
    cert = make_certification("RNCP35185")
    permit(provider, cert)
    a = make_offer(provider, cert, ref="A1", hours_total=40, price_incl_tax_cents=180_000)
    make_offer(
        provider,
        cert,
        ref="A2",
        hours_total=60,
        hours_centre=60,
        price_incl_tax_cents=240_000,
        price_excl_tax_cents=200_000,
        modality="distance",
        address="",
        postcode="",
        city="",
        insee_code="",
    )
    hidden = make_offer(provider, cert, ref="A3", publish=False)
    services.session_create(
        offer=a, actor=None, reference="S1", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 5)
    )
    services.session_create(
        offer=a, actor=None, reference="S0", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 5)
    )
    distance = Offer.objects.get(reference="A2")
    services.session_create(
        offer=distance, actor=None, reference="S1", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 1)
    )
    services.session_create(
        offer=hidden, actor=None, reference="S1", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 1)
    )
    out = io.StringIO()
    assert write_open_data(out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert list(rows[0]) == EXPECTED_COLUMNS
    row = rows[0]
    assert row["nom_of"] == "FormaPro Lyon" and row["siret"] == "73282932000074" and row["numero_formation"] == "F1"
    assert (row["type_referentiel"], row["code_rncp"], row["code_inventaire"]) == ("RNCP", "35185", "")
    assert row["code_formacode_1"] == "15234" and row["code_formacode_2"] == "" and row["code_nsf_1"] == "136"
    assert (row["nb_action"], row["nb_session_active"], row["nb_session_a_distance"]) == ("2", "2", "1")
    assert (row["nombre_heures_total_min"], row["nombre_heures_total_max"], row["nombre_heures_total_mean"]) == (
        "40",
        "60",
        "50",
    )
    assert (row["frais_ttc_tot_min"], row["frais_ttc_tot_max"], row["frais_ttc_tot_mean"]) == (
        "1800.00",
        "2400.00",
        "2100.00",
    )
    assert (row["code_departement"], row["nom_departement"], row["code_region"], row["nom_region"]) == (
        "69",
        "Rhône",
        "84",
        "Auvergne-Rhône-Alpes",
    )
    assert row["libelle_niveau_sortie_formation"] == "Niveau IV (BP, BT, baccalauréat)"


def test_export_open_data_command(frozen_clock, tmp_path):
    provider = make_provider()
    cert = make_certification()
    permit(provider, cert)
    make_offer(provider, cert)
    path = tmp_path / "od.csv"
    out = StringIO()
    call_command("export_open_data", "-o", str(path), "--quiet", stdout=out)
    assert "1 formation(s)" in out.getvalue()
    assert path.read_text(encoding="utf-8").splitlines()[0] == ";".join(EXPECTED_COLUMNS)


def test_generate_demo_builtin_set(frozen_clock):
    out = StringIO()
    call_command(
        "generate_demo",
        "--providers",
        "12",
        "--offers",
        "120",
        "--sessions",
        "300",
        "--holders",
        "15",
        "--seed",
        "3",
        "--quiet",
        stdout=out,
    )
    assert "12 organismes, 60 formations, 120 offres, 300 sessions, 15 titulaires (jeu intégré" in out.getvalue()
    assert (Provider.objects.count(), Offer.objects.count(), Session.objects.count(), Holder.objects.count()) == (
        12,
        120,
        300,
        15,
    )
    for p in Provider.objects.all():
        assert stdnum_siret.is_valid(p.siret) and len(p.nda) == 11
    for h in Holder.objects.all():  # valid NIR with the real key, stored protected only
        clear = nir_lib.decrypt(h.nir_encrypted)
        assert (
            stdnum_nir.is_valid(clear) and h.nir_hash == nir_lib.nir_hash(clear) and h.nir_masked == nir_lib.mask(clear)
        )
        assert clear[1:3] == f"{h.birth_date.year % 100:02d}" and clear[0] == ("1" if h.sex == "M" else "2")
        assert not h.user.has_usable_password()
    published = Offer.objects.filter(is_published=True).select_related("training__provider", "training__certification")
    assert published.count() > 80
    for offer in published:
        assert offer_publication_problems(offer) == [], offer
    assert Offer.objects.filter(training__title__icontains="anglais").exists()
    assert OfferChange.objects.filter(source="demo").count() == 120
    # sessions in the coming months
    assert Session.objects.filter(start_date__lt=frozen_clock.today()).count() == 0
    # a second run adds to the catalogue without clashing identifiers
    generate(providers=5, offers=10, sessions=10, seed=4)
    assert Provider.objects.count() == 17 and Offer.objects.count() == 130


def test_generate_demo_uses_loaded_communes(frozen_clock):
    Commune.objects.create(
        insee_code="69123",
        name="Lyon",
        department_code="69",
        region_code="84",
        postcodes=["69001"],
        latitude=45.76,
        longitude=4.83,
    )
    Commune.objects.create(
        insee_code="01001",
        name="L'Abergement-Clémenciat",
        department_code="01",
        region_code="84",
        postcodes=["01400"],
        latitude=46.15,
        longitude=4.93,
    )
    generate(providers=4, offers=40, sessions=40, seed=5)
    in_person = Offer.objects.exclude(modality="distance")
    assert in_person.exists() and not in_person.filter(commune__isnull=True).exists()
    assert set(in_person.values_list("city", flat=True)) <= {"Lyon", "L'Abergement-Clémenciat"}
    assert Training.objects.count() == 20
