"""Write the catalogue as LHEO 2.3 (valid against the official XSD), streaming formation by formation.

Mapping notes (docs/catalogue.md): one <formation> per training with its offers as <action> and their
sessions as <session>; offers without sessions are left out (LHEO requires one). Values LHEO has no element
for travel in <extras info="opencpf"> (frais-ht, existence-prerequis, prerequis, accessible-handicap,
modalites-handicap, certification, nb-places). Texts longer than LHEO's limits are cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from lxml import etree

from opencpf.catalogue.lheo import NS_23
from opencpf.catalogue.lheo.reader import OPENCPF_EXTRAS
from opencpf.catalogue.models import CertificationKind, Modality, Offer, Session, Training

MODALITY_CODES: dict[str, str] = {Modality.IN_PERSON: "0", Modality.MIXED: "1", Modality.DISTANCE: "2"}
PUBLIC_ALL = "81061"  # code-public-vise as used by national feeds (see docs/catalogue.md)


def _q(name: str) -> str:
    return f"{{{NS_23}}}{name}"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _sub(parent: etree._Element, name: str, text: Any = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(name), **attrs)
    if text is not None:
        el.text = _NOT_XML.sub("", str(text))  # characters XML cannot carry are dropped
    return el


def _txt(value: str, limit: int) -> str:
    value = (value or "").strip()
    return value[:limit] if value else "-"


def _price(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _extras(parent: etree._Element, values: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
    values = {k: ("" if v is None else v) for k, v in values.items() if k in keep or v not in (None, "")}
    if not values:
        return
    box = _sub(parent, "extras", info=OPENCPF_EXTRAS)
    for key, value in values.items():
        _sub(box, "extra", value, info=key)


def _lines(address: str) -> list[str]:
    """Split an address over at most 4 lines of 50 characters (LHEO's limits)."""
    out: list[str] = []
    for part in [p.strip() for p in (address or "").split(",") if p.strip()]:
        while part and len(out) < 4:
            out.append(part[:50])
            part = part[50:]
    return out


def _address(
    parent: etree._Element,
    *,
    address: str,
    postcode: str,
    city: str,
    insee: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> None:
    adresse = _sub(parent, "adresse")
    for line in _lines(address) or ["-"]:
        _sub(adresse, "ligne", line)
    _sub(adresse, "codepostal", postcode if len(postcode or "") == 5 else "00000")
    _sub(adresse, "ville", _txt(city, 50))
    if len(insee or "") == 5:
        _sub(adresse, "code-INSEE-commune", insee)
    if lat is not None and lon is not None:
        geo = _sub(adresse, "geolocalisation")
        _sub(geo, "latitude", repr(lat))
        _sub(geo, "longitude", repr(lon))


def _contact(parent: etree._Element, name: str, email: str, phone: str) -> None:
    contact = _sub(parent, name)
    coord = _sub(contact, "coordonnees")
    if phone:
        tel = _sub(coord, "telfixe")
        _sub(tel, "numtel", phone[:25])
    if email and len(email) >= 3:
        _sub(coord, "courriel", email[:160])


def formation_element(training: Training, offers: list[Offer]) -> etree._Element:
    provider = training.provider
    cert = training.certification
    f = etree.Element(_q("formation"), nsmap={None: NS_23}, numero=training.reference)
    dom = _sub(f, "domaine-formation")
    for code in (training.formacode_codes or [])[:5]:
        _sub(dom, "code-FORMACODE", code)
    nsf3 = list(dict.fromkeys(c[:3] for c in (training.nsf_codes or []) if len(c) >= 3))
    for code in nsf3[:3]:
        _sub(dom, "code-NSF", code)
    for code in (training.rome_codes or [])[:5]:
        _sub(dom, "code-ROME", code)
    _sub(f, "intitule-formation", training.title[:255])
    _sub(f, "objectif-formation", _txt(training.objectives, 3000))
    _sub(f, "resultats-attendus", _txt(training.expected_results, 3000))
    _sub(f, "contenu-formation", _txt(training.content, 3000))
    _sub(f, "certifiante", "1" if cert.kind != CertificationKind.OTHER else "0")
    first = offers[0]
    _contact(f, "contact-formation", first.contact_email or provider.email, first.contact_phone or provider.phone)
    _sub(f, "parcours-de-formation", "1")
    _sub(f, "code-niveau-entree", training.entry_level if training.entry_level is not None else 0)
    if cert.kind != CertificationKind.OTHER or training.certifinfo_code:
        c = _sub(f, "certification")  # sequence: code-RNCP, code-CERTIFINFO, code-RS
        digits = cert.code[len(cert.kind) :]
        if cert.kind == CertificationKind.RNCP:
            _sub(c, "code-RNCP", digits)
        if training.certifinfo_code:
            _sub(c, "code-CERTIFINFO", training.certifinfo_code)
        if cert.kind == CertificationKind.RS:
            _sub(c, "code-RS", digits)
    if training.exit_level is not None:
        _sub(f, "code-niveau-sortie", training.exit_level)
    for offer in offers:
        f.append(action_element(offer, training))
    org = _sub(f, "organisme-formation-responsable")
    _sub(org, "numero-activite", provider.nda if len(provider.nda or "") == 11 else "00000000000")
    s = _sub(org, "SIRET-organisme-formation")
    _sub(s, "SIRET", provider.siret)
    _sub(org, "nom-organisme", provider.name[:250])
    _sub(org, "raison-sociale", provider.name[:250])
    co = _sub(org, "coordonnees-organisme")
    coord = _sub(co, "coordonnees")
    if provider.postcode and provider.city:
        _address(coord, address=provider.address, postcode=provider.postcode, city=provider.city)
    _contact(org, "contact-organisme", provider.email, provider.phone)
    _extras(
        f,
        {
            "certification": cert.code,
            "codes-nsf": " ".join(training.nsf_codes or []) if list(training.nsf_codes or []) != nsf3 else "",
            "existence-prerequis": "1" if training.has_prerequisites else "0",
            "prerequis": training.prerequisites,
        },
    )
    return f


def action_element(offer: Offer, training: Training) -> etree._Element:
    provider = training.provider
    a = etree.Element(_q("action"), numero=offer.reference)
    _sub(a, "rythme-formation", "Temps plein")
    _sub(a, "code-public-vise", PUBLIC_ALL)
    _sub(a, "niveau-entree-obligatoire", "1" if training.has_prerequisites else "0")
    _sub(a, "modalites-alternance", "-")
    _sub(a, "modalites-enseignement", MODALITY_CODES.get(offer.modality, "0"))
    _sub(a, "conditions-specifiques", _txt(training.prerequisites, 3000))
    _sub(a, "prise-en-charge-frais-possible", "1")
    has_place = bool(offer.postcode and offer.city)
    address_extra = offer.address if has_place and ", ".join(_lines(offer.address)) != offer.address else ""
    if has_place:
        lieu = _sub(a, "lieu-de-formation")
        coord = _sub(lieu, "coordonnees")
        _address(
            coord,
            address=offer.address,
            postcode=offer.postcode,
            city=offer.city,
            insee=offer.insee_code,
            lat=offer.latitude,
            lon=offer.longitude,
        )
    _sub(a, "modalites-entrees-sorties", "0")
    for session in offer.sessions.all():
        s = _sub(a, "session", numero=session.reference)
        p = _sub(s, "periode")
        _sub(p, "debut", session.start_date.strftime("%Y%m%d"))
        _sub(p, "fin", session.end_date.strftime("%Y%m%d"))
        ins = _sub(s, "adresse-inscription")
        if has_place:
            _address(ins, address=offer.address, postcode=offer.postcode, city=offer.city, insee=offer.insee_code)
        else:
            _address(ins, address=provider.address, postcode=provider.postcode, city=provider.city or "À distance")
        _sub(s, "etat-recrutement", "1" if session.is_recruiting else "2")
        _extras(s, {"nb-places": session.capacity})
    if offer.disability_details:
        _sub(a, "acces-handicapes", offer.disability_details[:250])
    _sub(a, "prix-total-TTC", _price(offer.price_incl_tax_cents))
    _sub(a, "nombre-heures-centre", offer.hours_centre)
    _sub(a, "nombre-heures-entreprise", offer.hours_company)
    _sub(a, "nombre-heures-total", offer.hours_total)
    _extras(
        a,
        {
            "frais-ht": _price(offer.price_excl_tax_cents),
            "adresse": address_extra,
            "accessible-handicap": "1" if offer.disability_access else "0",
            "modalites-handicap": offer.disability_details if len(offer.disability_details) > 250 else "",
            "contact-courriel": offer.contact_email,
            "contact-telephone": offer.contact_phone,
        },
        keep=("contact-courriel", "contact-telephone"),
    )
    return a


def trainings_for_export(
    queryset: QuerySet[Training] | None = None, *, published_only: bool = False
) -> QuerySet[Training]:
    offers = Offer.objects.filter(sessions__isnull=False).distinct().order_by("pk")
    if published_only:
        offers = offers.filter(is_published=True)
    qs = queryset if queryset is not None else Training.objects.all()
    return (
        qs.filter(pk__in=offers.values("training_id"))
        .select_related("provider", "certification")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=offers.prefetch_related(
                    Prefetch("sessions", queryset=Session.objects.order_by("start_date", "pk"))
                ),
            ),
        )
        .order_by("pk")
    )


def write_lheo(out: IO[bytes], trainings: Iterable[Training]) -> int:
    """Stream an LHEO 2.3 document to `out`; returns the number of formations written."""
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("lheo"), nsmap={None: NS_23}), xf.element(_q("offres")):
            for training in trainings:
                offers = list(training.offers.all())
                if not offers:
                    continue
                xf.write(formation_element(training, offers), pretty_print=True)
                count += 1
    return count


def iter_chunked(qs: QuerySet[Training], size: int = 500) -> Iterator[Training]:
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk
