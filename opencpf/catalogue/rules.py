"""Publication rules of an offer: every reason it may not be published, in French, for the provider."""

from __future__ import annotations

import datetime as dt

from opencpf.catalogue.models import (
    CertificationKind,
    CertifierPermission,
    Modality,
    Offer,
    ProviderStatus,
    QualiopiCertificate,
)
from opencpf.core import clock
from opencpf.core.money import format_eur
from opencpf.core.params import params_on

PLAUSIBILITY_KEYS = [
    "offer_max_hours",
    "offer_min_hourly_price_cents",
    "offer_max_hourly_price_cents",
    "offer_max_price_cents",
    "offer_max_vat_rate_bp",
]


def price_and_hours_problems(
    *,
    hours_total: int,
    hours_centre: int,
    hours_company: int,
    price_incl_tax_cents: int,
    price_excl_tax_cents: int,
    on: dt.date | None = None,
    bounds: dict[str, int] | None = None,
) -> list[str]:
    p = bounds or params_on(PLAUSIBILITY_KEYS, on=on)
    problems: list[str] = []
    if hours_total <= 0:
        problems.append("la durée totale doit être d'au moins une heure")
    elif hours_total > p["offer_max_hours"]:
        problems.append(f"la durée totale ({hours_total} h) dépasse le maximum plausible de {p['offer_max_hours']} h")
    if hours_centre + hours_company > hours_total:
        problems.append(
            f"les heures en centre ({hours_centre} h) et en entreprise ({hours_company} h) dépassent la durée totale"
            f" ({hours_total} h)"
        )
    if price_incl_tax_cents <= 0:
        problems.append("le prix TTC doit être positif")
    elif price_incl_tax_cents > p["offer_max_price_cents"]:
        problems.append(
            f"le prix TTC ({format_eur(price_incl_tax_cents)}) dépasse le maximum plausible de "
            f"{format_eur(p['offer_max_price_cents'])}"
        )
    if price_excl_tax_cents > price_incl_tax_cents:
        problems.append("le prix HT ne peut pas dépasser le prix TTC")
    elif price_excl_tax_cents * (10_000 + p["offer_max_vat_rate_bp"]) < price_incl_tax_cents * 10_000 - 10_000:
        problems.append("l'écart entre le prix TTC et le prix HT dépasse le taux de TVA maximal")
    if hours_total > 0 and price_incl_tax_cents > 0:
        hourly = price_incl_tax_cents // hours_total
        if hourly < p["offer_min_hourly_price_cents"]:
            problems.append(
                f"le prix horaire ({format_eur(hourly)} de l'heure) est inférieur au minimum plausible de "
                f"{format_eur(p['offer_min_hourly_price_cents'])}"
            )
        elif hourly > p["offer_max_hourly_price_cents"]:
            problems.append(
                f"le prix horaire ({format_eur(hourly)} de l'heure) dépasse le maximum plausible de "
                f"{format_eur(p['offer_max_hourly_price_cents'])}"
            )
    return problems


def provider_problems(provider_id: int, status: str, *, on: dt.date) -> list[str]:
    problems: list[str] = []
    if status != ProviderStatus.REFERENCED:
        problems.append(f"l'organisme n'est pas référencé (statut : {ProviderStatus(status).label.lower()})")
    if not QualiopiCertificate.objects.filter(provider_id=provider_id, expires_on__gte=on).exists():
        problems.append("l'organisme n'a pas de certificat Qualiopi en cours de validité")
    return problems


def offer_publication_problems(offer: Offer, *, on: dt.date | None = None) -> list[str]:
    """Why this offer may not be published today ([] when it may)."""
    day = on or clock.today()
    training = offer.training
    cert = training.certification
    provider = training.provider
    problems = provider_problems(provider.pk, provider.status, on=day)
    if not cert.is_active or (cert.valid_until is not None and cert.valid_until < day):
        problems.append(f"la certification {cert.code} n'est pas active")
    if cert.kind in (CertificationKind.RNCP, CertificationKind.RS):
        permission = CertifierPermission.objects.filter(provider_id=provider.pk, certification_id=cert.pk).first()
        if permission is None:
            problems.append(f"l'organisme n'a pas d'habilitation du certificateur pour {cert.code}")
        elif permission.withdrawn_at is not None:
            problems.append(f"l'habilitation du certificateur pour {cert.code} a été retirée")
        elif permission.valid_until is not None and permission.valid_until < day:
            problems.append(f"l'habilitation du certificateur pour {cert.code} a expiré")
    problems += price_and_hours_problems(
        hours_total=offer.hours_total,
        hours_centre=offer.hours_centre,
        hours_company=offer.hours_company,
        price_incl_tax_cents=offer.price_incl_tax_cents,
        price_excl_tax_cents=offer.price_excl_tax_cents,
        on=day,
    )
    if offer.modality != Modality.DISTANCE and not (offer.address and offer.postcode and offer.insee_code):
        problems.append("une formation en présentiel ou mixte doit indiquer l'adresse, le code postal et la commune")
    return problems
