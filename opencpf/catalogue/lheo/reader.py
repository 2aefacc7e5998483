"""Read LHEO 2.2 / 2.3 documents into plain data, checking their structure by code.

Every problem names the line and the element path (/lheo/offres/formation[2]/action[1]/session[1]/periode/debut).
The official XSD is not shipped with the product: a 2.3 document is additionally validated against it when
a path is given (`import_lheo --xsd PATH` or the LHEO_XSD_PATH setting); see docs/catalogue.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from opencpf.catalogue.exceptions import LheoError
from opencpf.catalogue.lheo import NS_22, NS_23, SUPPORTED
from opencpf.catalogue.lheo.safe import parse_bytes

OPENCPF_EXTRAS = "opencpf"
LEVELS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "11", "12", "13"}
MODALITIES = {"0": "in_person", "1": "mixed", "2": "distance"}


@dataclass
class Problem:
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line}, {self.path} : {self.message}"


@dataclass
class SessionData:
    reference: str
    start_date: dt.date
    end_date: dt.date
    is_recruiting: bool
    capacity: int | None


@dataclass
class ActionData:
    reference: str
    fields: dict[str, Any]
    sessions: list[SessionData] = field(default_factory=list)


@dataclass
class FormationData:
    index: int
    line: int
    reference: str
    certification_code: str
    fields: dict[str, Any]
    provider: dict[str, str]
    actions: list[ActionData] = field(default_factory=list)


@dataclass
class Document:
    version: str
    formations: list[FormationData]
    problems: dict[int, list[Problem]]  # formation index (0 for the document itself) -> problems

    @property
    def all_problems(self) -> list[Problem]:
        return [p for k in sorted(self.problems) for p in self.problems[k]]


def element_path(el: etree._Element) -> str:
    parts = []
    node: etree._Element | None = el
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == name]
            parts.append(
                f"{name}[{same.index(node) + 1}]"
                if len(same) > 1 or name in ("formation", "action", "session")
                else name
            )
        else:
            parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


class _Ctx:
    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.problems: list[Problem] = []

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def err(self, el: etree._Element, message: str) -> None:
        self.problems.append(Problem(el.sourceline or 0, element_path(el), message))

    def child(self, el: etree._Element, name: str, *, required: bool = False) -> etree._Element | None:
        found = el.find(self.q(name))
        if found is None and required:
            self.err(el, f"élément obligatoire <{name}> absent")
        return found

    def text(self, el: etree._Element | None, name: str, *, required: bool = False, max_len: int | None = None) -> str:
        if el is None:
            return ""
        node = self.child(el, name, required=required)
        value = (node.text or "").strip() if node is not None else ""
        if node is not None and required and not value:
            self.err(node, f"<{name}> est vide")
        if node is not None and max_len is not None and len(value) > max_len:
            self.err(node, f"<{name}> dépasse {max_len} caractères")
        return value

    def extras(self, el: etree._Element) -> dict[str, str]:
        out: dict[str, str] = {}
        for extras in el.findall(self.q("extras")):
            for extra in extras.iter(self.q("extra")):
                if extra.get("info"):
                    out[extra.get("info", "")] = (extra.text or "").strip()
        return out


def _nullable(value: str) -> str:
    return "" if value.strip() in ("-", "") else value.strip()


def _date(ctx: _Ctx, el: etree._Element | None, name: str) -> dt.date | None:
    if el is None:
        return None
    node = ctx.child(el, name, required=True)
    if node is None:
        return None
    raw = (node.text or "").strip()
    if not re.fullmatch(r"\d{8}", raw):
        ctx.err(node, f"date « {raw} » au format AAAAMMJJ attendue")
        return None
    year, month, day = int(raw[:4]), int(raw[4:6]), int(raw[6:])
    if raw in ("00000000", "99999999"):
        ctx.err(node, "date non communiquée : une session doit avoir des dates")
        return None
    try:
        return dt.date(year, max(month, 1), max(day, 1))
    except ValueError:
        ctx.err(node, f"date « {raw} » impossible")
        return None


def _int(ctx: _Ctx, el: etree._Element, name: str, *, default: int = 0) -> int:
    node = ctx.child(el, name)
    if node is None:
        return default
    raw = (node.text or "").strip()
    if not re.fullmatch(r"\d{1,7}", raw):
        ctx.err(node, f"<{name}> doit être un nombre entier positif (reçu « {raw} »)")
        return default
    return int(raw)


def _cents(ctx: _Ctx, node: etree._Element | None, raw: str) -> int | None:
    raw = raw.replace(" ", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        if node is not None:
            ctx.err(node, f"montant « {raw} » illisible")
        return None
    if value < 0:
        if node is not None:
            ctx.err(node, "montant négatif")
        return None
    return int((value * 100).quantize(Decimal("1")))


def _certification(ctx: _Ctx, formation: etree._Element, extras: dict[str, str]) -> tuple[str, str]:
    certifinfo = ""
    for cert in formation.findall(ctx.q("certification")):
        certifinfo = certifinfo or ctx.text(cert, "code-CERTIFINFO")
        for tag, prefix in (("code-RNCP", "RNCP"), ("code-RS", "RS")):
            raw = ctx.text(cert, tag).upper().replace(" ", "")
            if raw:
                digits = raw[len(prefix) :] if raw.startswith(prefix) else raw
                if not digits.isdigit():
                    node = cert.find(ctx.q(tag))
                    ctx.err(node if node is not None else cert, f"code {prefix} « {raw} » invalide")
                    continue
                return f"{prefix}{int(digits)}", certifinfo
    if extras.get("certification"):
        return extras["certification"].upper(), certifinfo
    ctx.err(formation, "aucune certification RNCP ou RS : la formation n'est pas éligible au CPF")
    return "", certifinfo


def _address(ctx: _Ctx, adresse: etree._Element | None) -> dict[str, Any]:
    if adresse is None:
        return {}
    lines = [(x.text or "").strip() for x in adresse.findall(ctx.q("ligne"))]
    out: dict[str, Any] = {
        "address": ", ".join(x for x in lines if x)[:300],
        "postcode": ctx.text(adresse, "codepostal")[:5],
        "city": ctx.text(adresse, "ville")[:150],
        "insee_code": ctx.text(adresse, "code-INSEE-commune")[:5],
    }
    geo = ctx.child(adresse, "geolocalisation")
    if geo is not None:
        try:
            out["latitude"] = float(ctx.text(geo, "latitude", required=True).replace(",", "."))
            out["longitude"] = float(ctx.text(geo, "longitude", required=True).replace(",", "."))
        except ValueError:
            ctx.err(geo, "coordonnées illisibles")
    return out


def _contact(ctx: _Ctx, el: etree._Element | None) -> dict[str, str]:
    if el is None:
        return {}
    coord = ctx.child(el, "coordonnees")
    if coord is None:
        return {}
    tel = ctx.child(coord, "telfixe")
    return {
        "contact_email": ctx.text(coord, "courriel")[:254],
        "contact_phone": ctx.text(tel, "numtel")[:20] if tel is not None else "",
    }


def _session(ctx: _Ctx, s: etree._Element, n: int) -> SessionData | None:
    before = len(ctx.problems)
    periode = ctx.child(s, "periode", required=True)
    start = _date(ctx, periode, "debut")
    end = _date(ctx, periode, "fin")
    ctx.child(s, "adresse-inscription", required=ctx.ns == NS_23)
    state = ctx.text(s, "etat-recrutement")
    if state and state not in ("1", "2", "3"):
        ctx.err(s, f"<etat-recrutement> « {state} » inconnu (1 ouvert, 2 fermé, 3 suspendu)")
    extras = ctx.extras(s)
    capacity = int(extras["nb-places"]) if extras.get("nb-places", "").isdigit() else None
    if start and end and end < start:
        ctx.err(periode if periode is not None else s, "la fin de la session précède son début")
    if len(ctx.problems) > before or start is None or end is None:
        return None
    return SessionData(s.get("numero") or f"S{n}", start, end, state in ("", "1"), capacity)


def _action(ctx: _Ctx, a: etree._Element, n: int) -> ActionData:
    for name in (
        "rythme-formation",
        "niveau-entree-obligatoire",
        "modalites-alternance",
        "conditions-specifiques",
        "prise-en-charge-frais-possible",
        "modalites-entrees-sorties",
    ):
        ctx.child(a, name, required=True)
    if not a.findall(ctx.q("code-public-vise")):
        ctx.err(a, "élément obligatoire <code-public-vise> absent")
    modality_code = ctx.text(a, "modalites-enseignement", required=True)
    if modality_code and modality_code not in MODALITIES:
        node = ctx.child(a, "modalites-enseignement")
        ctx.err(node if node is not None else a, f"<modalites-enseignement> « {modality_code} » inconnu (0, 1 ou 2)")
    extras = ctx.extras(a)
    fields: dict[str, Any] = {"modality": MODALITIES.get(modality_code, "in_person")}
    lieu = ctx.child(a, "lieu-de-formation")
    if lieu is not None:
        coord = ctx.child(lieu, "coordonnees", required=True)
        fields.update(_address(ctx, ctx.child(coord, "adresse") if coord is not None else None))
    if extras.get("adresse"):
        fields["address"] = extras["adresse"][:300]
    fields["hours_total"] = _int(ctx, a, "nombre-heures-total")
    fields["hours_centre"] = _int(ctx, a, "nombre-heures-centre")
    fields["hours_company"] = _int(ctx, a, "nombre-heures-entreprise")
    price_node = ctx.child(a, "prix-total-TTC")
    incl = _cents(ctx, price_node, (price_node.text or "").strip()) if price_node is not None else None
    fields["price_incl_tax_cents"] = incl or 0
    excl_raw = extras.get("frais-ht", "")
    excl = _cents(ctx, a, excl_raw) if excl_raw else None
    fields["price_excl_tax_cents"] = excl if excl is not None else fields["price_incl_tax_cents"]
    handicap = ctx.text(a, "acces-handicapes")
    fields["disability_details"] = _nullable(extras.get("modalites-handicap", handicap))
    if "accessible-handicap" in extras:
        fields["disability_access"] = extras["accessible-handicap"] == "1"
    if "contact-courriel" in extras or "contact-telephone" in extras:
        fields["contact_email"] = extras.get("contact-courriel", "")[:254]
        fields["contact_phone"] = extras.get("contact-telephone", "")[:20]
    sessions = a.findall(ctx.q("session"))
    if not sessions:
        ctx.err(a, "élément obligatoire <session> absent")
    parsed = [_session(ctx, s, i) for i, s in enumerate(sessions, 1)]
    return ActionData(a.get("numero") or f"A{n}", fields, [s for s in parsed if s is not None])


def _formation(ctx: _Ctx, f: etree._Element, index: int) -> FormationData:
    for name in (
        "domaine-formation",
        "certifiante",
        "contact-formation",
        "parcours-de-formation",
        "code-niveau-entree",
        "organisme-formation-responsable",
    ):
        ctx.child(f, name, required=True)
    title = ctx.text(f, "intitule-formation", required=True, max_len=255 if ctx.ns == NS_23 else None)
    fields: dict[str, Any] = {
        "title": title[:300],
        "objectives": _nullable(ctx.text(f, "objectif-formation", required=True)),
        "expected_results": _nullable(ctx.text(f, "resultats-attendus", required=True)),
        "content": _nullable(ctx.text(f, "contenu-formation", required=True)),
    }
    domaine = ctx.child(f, "domaine-formation")
    if domaine is not None:
        fields["formacode_codes"] = [(x.text or "").strip() for x in domaine.findall(ctx.q("code-FORMACODE"))]
        fields["nsf_codes"] = [(x.text or "").strip() for x in domaine.findall(ctx.q("code-NSF"))]
        fields["rome_codes"] = [(x.text or "").strip() for x in domaine.findall(ctx.q("code-ROME"))]
        for x in domaine.findall(ctx.q("code-FORMACODE")):
            if not re.fullmatch(r"\d{5}", (x.text or "").strip()):
                ctx.err(x, f"code Formacode « {(x.text or '').strip()} » invalide (5 chiffres)")
        for x in domaine.findall(ctx.q("code-ROME")):
            if not re.fullmatch(r"[A-N]\d{4}", (x.text or "").strip()):
                ctx.err(x, f"code ROME « {(x.text or '').strip()} » invalide")
    for tag, key in (("code-niveau-entree", "entry_level"), ("code-niveau-sortie", "exit_level")):
        raw = ctx.text(f, tag)
        if raw and raw not in LEVELS:
            node = ctx.child(f, tag)
            ctx.err(node if node is not None else f, f"<{tag}> « {raw} » inconnu")
        fields[key] = int(raw) if raw in LEVELS and raw != "0" else None  # 0: "information non communiquée"
    extras = ctx.extras(f)
    if "codes-nsf" in extras:
        fields["nsf_codes"] = extras["codes-nsf"].split()
    code, certifinfo = _certification(ctx, f, extras)
    fields["certifinfo_code"] = certifinfo[:10]
    actions_el = f.findall(ctx.q("action"))
    if not actions_el:
        ctx.err(f, "élément obligatoire <action> absent")
    actions = [_action(ctx, a, i) for i, a in enumerate(actions_el, 1)]
    # Prerequisites: our extras, else the first action's conditions-specifiques.
    first = actions_el[0] if actions_el else None
    conditions = _nullable(ctx.text(first, "conditions-specifiques")) if first is not None else ""
    fields["prerequisites"] = extras.get("prerequis", conditions)
    fields["has_prerequisites"] = (
        extras["existence-prerequis"] == "1" if "existence-prerequis" in extras else bool(fields["prerequisites"])
    )
    contact = _contact(ctx, ctx.child(f, "contact-formation"))
    for action in actions:
        for key, value in contact.items():
            action.fields.setdefault(key, value)
    org = ctx.child(f, "organisme-formation-responsable")
    provider: dict[str, str] = {}
    if org is not None:
        siret_block = ctx.child(org, "SIRET-organisme-formation", required=True)
        provider = {
            "siret": ctx.text(siret_block, "SIRET", required=True) if siret_block is not None else "",
            "nda": ctx.text(org, "numero-activite", required=True),
            "name": ctx.text(org, "nom-organisme", required=True),
        }
        if provider["siret"] and not re.fullmatch(r"\d{14}", provider["siret"]):
            ctx.err(
                siret_block if siret_block is not None else org, f"SIRET « {provider['siret']} » invalide (14 chiffres)"
            )
    return FormationData(index, f.sourceline or 0, f.get("numero") or f"F{index}", code, fields, provider, actions)


def read_document(data: bytes, *, xsd_path: str | Path | None = None) -> Document:
    tree = parse_bytes(data)
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.namespace not in SUPPORTED:
        raise LheoError(
            f"Espace de noms « {qname.namespace or 'aucun'} » non reconnu : attendu {NS_22} (LHEO 2.2) ou {NS_23} (LHEO 2.3).",
            code="lheo_namespace",
        )
    if qname.localname != "lheo":
        raise LheoError(f"Élément racine <{qname.localname}> inattendu : attendu <lheo>.", code="lheo_invalid")
    ctx = _Ctx(qname.namespace)
    offres = root.find(ctx.q("offres"))
    problems: dict[int, list[Problem]] = {}
    if offres is None:
        raise LheoError(f"Élément obligatoire <offres> absent (ligne {root.sourceline or 0}, /lheo).")
    formations_el = offres.findall(ctx.q("formation"))
    formations = []
    starts = []
    for i, f in enumerate(formations_el, 1):
        ctx.problems = []
        formations.append(_formation(ctx, f, i))
        starts.append((f.sourceline or 0, i))
        if ctx.problems:
            problems[i] = ctx.problems
    if not formations_el:
        problems[0] = [Problem(offres.sourceline or 0, "/lheo/offres", "aucune <formation>")]
    if xsd_path and qname.namespace == NS_23:
        schema = load_schema(xsd_path)
        if not schema.validate(tree):
            for e in schema.error_log:  # type: ignore[attr-defined]
                idx = max((i for line, i in starts if line <= e.line), default=0)
                problems.setdefault(idx, []).append(Problem(e.line, _xsd_path(tree, e.path), f"XSD : {e.message}"))
    return Document(SUPPORTED[qname.namespace], formations, problems)


def _xsd_path(tree: etree._ElementTree, path: str) -> str:
    """libxml2 reports '/*/*/*[2]/*[10]': name it like our own errors."""
    try:
        found = tree.xpath(path) if path else []
    except etree.XPathError:
        found = []
    if found and isinstance(found[0], etree._Element):
        return element_path(found[0])
    return path or "/lheo"


_schemas: dict[str, etree.XMLSchema] = {}


def load_schema(xsd_path: str | Path) -> etree.XMLSchema:
    key = str(xsd_path)
    if key not in _schemas:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        _schemas[key] = etree.XMLSchema(etree.parse(key, parser))
    return _schemas[key]
