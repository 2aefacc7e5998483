"""Provider portal pages (offers, sessions, LHEO upload, API keys) and back-office referencing pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencpf.catalogue import services
from opencpf.catalogue.models import Offer, OfferChange, ProviderStatus, ReferencingDecision, Session
from opencpf.catalogue.services.referencing import PermissionInput
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db

FORM = {
    "certification_code": "rncp35185",
    "training_reference": "F1",
    "offer_reference": "A1",
    "title": "Anglais professionnel",
    "objectives": "Parler anglais au travail",
    "content": "Oral",
    "expected_results": "TOEIC",
    "prerequisites": "",
    "formacode_codes": "15234",
    "nsf_codes": "136",
    "rome_codes": "M1607",
    "entry_level": "",
    "exit_level": "5",
    "modality": "in_person",
    "address": "10 rue de la République",
    "postcode": "69002",
    "city": "Lyon",
    "insee_code": "69382",
    "hours_total": "40",
    "hours_centre": "40",
    "hours_company": "0",
    "price_incl": "1 800,00",
    "price_excl": "1500",
    "disability_access": "on",
    "disability_details": "",
    "contact_email": "",
    "contact_phone": "",
}


@pytest.fixture
def logged(client, staff):  # type: ignore[no-untyped-def]
    client.force_login(staff)
    return client


def test_pages_require_a_provider_login(client, agent):
    assert client.get("/organisme/offres/").status_code == 302
    login_agent(client, agent)
    assert client.get("/organisme/offres/").status_code == 403


def test_create_offer_then_publish_with_reasons_shown(logged, provider, cert, frozen_clock):
    r = logged.post("/organisme/offres/nouvelle/", FORM)
    offer = Offer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/organisme/offres/{offer.pk}/"
    assert (offer.price_incl_tax_cents, offer.price_excl_tax_cents, offer.training.rome_codes) == (
        180_000,
        150_000,
        ["M1607"],
    )
    page = logged.get(f"/organisme/offres/{offer.pk}/").content.decode()
    assert "Cette offre ne peut pas être publiée" in page
    assert "L&#x27;organisme n&#x27;a pas d&#x27;habilitation du certificateur pour RNCP35185." in page
    r = logged.post(f"/organisme/offres/{offer.pk}/publier/", follow=True)
    assert (
        "L&#x27;offre ne peut pas être publiée : l&#x27;organisme n&#x27;a pas d&#x27;habilitation"
        in r.content.decode()
    )
    assert not Offer.objects.get().is_published
    permit(provider, cert)
    r = logged.post(f"/organisme/offres/{offer.pk}/publier/", follow=True)
    assert "L&#x27;offre est publiée." in r.content.decode()
    assert Offer.objects.get().is_published


def test_form_errors_are_shown_and_nothing_saved(logged, provider, frozen_clock):
    r = logged.post("/organisme/offres/nouvelle/", {**FORM, "certification_code": "RNCP0", "price_incl": "12,345"})
    page = r.content.decode()
    assert r.status_code == 200 and "Le montant saisi n&#x27;est pas valide" in page
    r = logged.post("/organisme/offres/nouvelle/", {**FORM, "certification_code": "RNCP0"})
    assert "La certification « RNCP0 » est inconnue du répertoire." in r.content.decode()
    assert not Offer.objects.exists()


def test_edit_duplicate_unpublish_and_sessions(logged, provider, cert, permitted, staff, frozen_clock):
    offer = make_offer(provider, cert)
    r = logged.post(f"/organisme/offres/{offer.pk}/modifier/", {**FORM, "hours_total": "35", "hours_centre": "35"})
    assert r.status_code == 302
    offer.refresh_from_db()
    assert offer.hours_total == 35 and offer.is_published
    change = OfferChange.objects.filter(offer=offer, action="updated").get()
    assert change.actor == staff and change.changes["hours_total"] == [40, 35]
    r = logged.post(
        f"/organisme/offres/{offer.pk}/sessions/nouvelle/",
        {
            "reference": "S1",
            "start_date": "2026-04-01",
            "end_date": "2026-04-10",
            "is_recruiting": "on",
            "capacity": "12",
        },
    )
    assert r.status_code == 302
    session = Session.objects.get()
    logged.post(f"/organisme/sessions/{session.pk}/dupliquer/", {"start_date": "2026-06-01"})
    assert Session.objects.filter(offer=offer).count() == 2
    logged.post(f"/organisme/sessions/{session.pk}/modifier/", {"start_date": "2026-04-01", "end_date": "2026-04-12"})
    session.refresh_from_db()
    assert session.end_date == dt.date(2026, 4, 12) and session.is_recruiting is False
    r = logged.post(f"/organisme/offres/{offer.pk}/dupliquer/")
    copy = Offer.objects.get(reference="A1-copie")
    assert r["Location"] == f"/organisme/offres/{copy.pk}/"
    logged.post(f"/organisme/offres/{offer.pk}/depublier/")
    assert not Offer.objects.get(pk=offer.pk).is_published
    page = logged.get(f"/organisme/offres/{offer.pk}/").content.decode()
    assert "Historique des modifications" in page and "sophie@formapro.example" in page


def test_list_filters_and_scope(logged, provider, cert, permitted, frozen_clock):
    make_offer(provider, cert, ref="A1")
    make_offer(
        provider, cert, ref="A2", publish=False, modality="distance", address="", postcode="", city="", insee_code=""
    )
    other = make_provider("35600000000048", name="Autre OF")
    permit(other, cert)
    foreign = make_offer(other, cert, ref="ZZ9")
    page = logged.get("/organisme/offres/").content.decode()
    assert "A1" in page and "A2" in page and "ZZ9" not in page
    page = logged.get("/organisme/offres/?published=0").content.decode()
    assert "A2" in page and ">A1<" not in page
    assert logged.get(f"/organisme/offres/{foreign.pk}/").status_code == 404
    assert logged.post(f"/organisme/offres/{foreign.pk}/depublier/").status_code == 404
    assert Offer.objects.get(pk=foreign.pk).is_published


def test_lheo_upload_page(logged, provider, cert, permitted, frozen_clock):
    from tests.catalogue.test_lheo import BROKEN_23, _formation

    upload = SimpleUploadedFile("offres.xml", BROKEN_23 % (_formation("F1") + _formation("F2", debut="x")), "text/xml")
    page = logged.post("/organisme/offres/import-lheo/", {"file": upload}).content.decode()
    assert "Fichier rejeté : rien n'a été importé" in page and "periode/debut" in page
    assert not Offer.objects.exists()
    upload = SimpleUploadedFile("offres.xml", BROKEN_23 % (_formation("F1") + _formation("F2", debut="x")), "text/xml")
    logged.post("/organisme/offres/import-lheo/", {"file": upload, "partial": "on"})
    assert Offer.objects.filter(is_published=True).count() == 1
    upload = SimpleUploadedFile(
        "bomb.xml", b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "text/xml"
    )
    page = logged.post("/organisme/offres/import-lheo/", {"file": upload}).content.decode()
    assert "refusé par sécurité" in page


def test_backoffice_queue_shows_the_deadline_and_decisions_are_logged(client, agent, frozen_clock):
    make_certification("RNCP35185")
    provider = services.provider_apply(
        name="Institut Martin",
        siret="73282932000074",
        nda="84691234569",
        qualiopi_number="QUA-1",
        qualiopi_expires_on=dt.date(2028, 1, 1),
        permissions=[PermissionInput("RNCP35185")],
        directors_declaration=True,
    )
    login_agent(client, agent)
    page = client.get("/gestion/referencement/").content.decode()
    assert "Institut Martin" in page and "17/03/2026" in page and "11 j. ouvrés restants" in page
    page = client.get(f"/gestion/referencement/{provider.pk}/").content.decode()
    assert "Instruction à terminer avant le 17/03/2026" in page and "QUA-1" in page
    r = client.post(f"/gestion/referencement/{provider.pk}/", {"event": "reference", "reason": ""})
    assert "Ce champ est obligatoire." in r.content.decode()
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.PENDING
    client.post(f"/gestion/referencement/{provider.pk}/", {"event": "reference", "reason": "Pièces conformes"})
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.REFERENCED
    assert ReferencingDecision.objects.filter(
        provider=provider, to_status="referenced", decided_by=agent, reason="Pièces conformes"
    ).exists()
    perm = provider.permissions.get()
    make_offer(provider, perm.certification)
    r = client.post(f"/gestion/habilitations/{perm.pk}/retirer/", {"reason": "retrait du certificateur"}, follow=True)
    assert "Habilitation retirée : 1 offre(s) dépubliée(s)." in r.content.decode()
    assert not Offer.objects.filter(is_published=True).exists()


def test_backoffice_forbidden_to_providers(client, staff):
    client.force_login(staff)
    assert client.get("/gestion/referencement/").status_code == 403


def test_public_application_creates_a_pending_provider_and_its_login(client, frozen_clock):
    make_certification("RNCP35185")
    data = {
        "name": "Institut Martin",
        "siret": "732 829 320 00074",
        "nda": "84691234569",
        "email": "direction@martin.example",
        "password": "Un-mot-de-passe-2026",
        "qualiopi_number": "QUA-9",
        "qualiopi_body": "AFNOR",
        "qualiopi_expires_on": "2028-01-01",
        "certifications": "RNCP35185",
        "certifier": "Ministère du Travail",
        "directors_declaration": "on",
    }
    r = client.post("/organisme/demande-referencement/", {**data, "directors_declaration": ""})
    assert "Ce champ est obligatoire." in r.content.decode()
    r = client.post("/organisme/demande-referencement/", {**data, "siret": "73282932000075"})
    assert "clé de contrôle" in r.content.decode()
    from opencpf.catalogue.models import Provider
    from opencpf.identity.models import User

    assert not Provider.objects.exists() and not User.objects.exists()  # nothing half-created
    r = client.post("/organisme/demande-referencement/", data)
    assert r.status_code == 302
    provider = Provider.objects.get()
    assert provider.status == "pending" and provider.check_deadline == dt.date(2026, 3, 17)
    user = User.objects.get(email="direction@martin.example")
    client.force_login(user)
    page = client.get("/organisme/referencement/").content.decode()
    assert "En cours d&#x27;examen" in page and "17/03/2026" in page and "QUA-9" in page


def test_offer_list_query_count_is_bounded(
    logged, provider, cert, permitted, frozen_clock, django_assert_max_num_queries
):
    for i in range(30):
        make_offer(provider, cert, ref=f"A{i}", publish=False)
    with django_assert_max_num_queries(12):
        r = logged.get("/organisme/offres/")
    assert r.status_code == 200 and r.content.decode().count("/organisme/offres/") > 25
