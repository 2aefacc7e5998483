"""Catalogue fixtures: a referenced provider with Qualiopi and a permission, and offers built through services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from opencpf.catalogue import services
from opencpf.catalogue.models import (
    Certification,
    CertificationKind,
    CertifierPermission,
    Offer,
    Provider,
    ProviderStatus,
    QualiopiCertificate,
)
from opencpf.core import clock

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
XSD = DATA / "lheo" / "lheo-2.3.xsd"


def data_file(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data absent: ../shared/data/{'/'.join(parts)} (present in CI)")
    return path


def make_provider(
    siret: str = "73282932000074",
    *,
    name: str = "FormaPro Lyon",
    status: str = ProviderStatus.REFERENCED,
    qualiopi_until: dt.date | None = None,
) -> Provider:
    provider = Provider.objects.create(
        name=name,
        siret=siret,
        nda="84691234569",
        status=status,
        email="contact@formapro.example",
        postcode="69003",
        city="Lyon",
        address="10 rue de la République",
    )
    QualiopiCertificate.objects.create(
        provider=provider, number=f"Q-{siret}", expires_on=qualiopi_until or dt.date(2030, 1, 1)
    )
    return provider


def make_certification(
    code: str = "RNCP35185", *, active: bool = True, title: str = "Anglais professionnel"
) -> Certification:
    kind = CertificationKind.RS if code.startswith("RS") else CertificationKind.RNCP
    return Certification.objects.create(code=code, kind=kind, title=title, level=5, is_active=active)


def permit(provider: Provider, cert: Certification) -> CertifierPermission:
    return CertifierPermission.objects.create(provider=provider, certification=cert, granted_on=dt.date(2025, 1, 1))


def offer_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "modality": "in_person",
        "address": "10 rue de la République",
        "postcode": "69002",
        "city": "Lyon",
        "insee_code": "69382",
        "latitude": 45.75,
        "longitude": 4.83,
        "hours_total": 40,
        "hours_centre": 40,
        "hours_company": 0,
        "price_incl_tax_cents": 180_000,
        "price_excl_tax_cents": 150_000,
        "disability_access": True,
        "disability_details": "Locaux accessibles",
        "contact_email": "inscription@formapro.example",
        "contact_phone": "0472000000",
    }
    fields.update(overrides)
    return fields


def training_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "title": "Anglais professionnel – TOEIC",
        "objectives": "Communiquer en anglais au travail.",
        "content": "Grammaire, oral, préparation au test.",
        "expected_results": "Score TOEIC visé : 750.",
        "prerequisites": "",
        "has_prerequisites": False,
        "formacode_codes": ["15234"],
        "nsf_codes": ["136"],
        "rome_codes": ["M1607"],
        "entry_level": 0,
        "exit_level": 5,
    }
    fields.update(overrides)
    return fields


def make_offer(
    provider: Provider,
    cert: Certification,
    *,
    ref: str = "A1",
    training_ref: str = "F1",
    publish: bool = True,
    actor: Any = None,
    **overrides: Any,
) -> Offer:
    return services.offer_create(
        provider=provider,
        actor=actor,
        certification=cert,
        training_reference=training_ref,
        offer_reference=ref,
        training=training_fields(),
        offer=offer_fields(**overrides),
        publish=publish,
    )


@pytest.fixture
def today(frozen_clock):  # type: ignore[no-untyped-def]
    return clock.today()


@pytest.fixture
def provider(db):  # type: ignore[no-untyped-def]
    return make_provider()


@pytest.fixture
def cert(db):  # type: ignore[no-untyped-def]
    return make_certification()


@pytest.fixture
def permitted(provider, cert):  # type: ignore[no-untyped-def]
    return permit(provider, cert)


@pytest.fixture
def staff(db, provider):  # type: ignore[no-untyped-def]
    from opencpf.identity.models import ProviderMembership, ProviderRole, UserKind
    from opencpf.identity.services import staff_user_create

    user = staff_user_create(email="sophie@formapro.example", password="MotDePasse-Demo-2026", kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=provider, role=ProviderRole.ADMINISTRATOR)
    return user


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    from opencpf.identity.models import UserKind
    from opencpf.identity.services import staff_user_create

    return staff_user_create(email="ines@operateur.example", password="MotDePasse-Demo-2026", kind=UserKind.AGENT)
