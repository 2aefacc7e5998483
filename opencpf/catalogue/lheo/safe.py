"""A safe XML parser: no network, no DTD loading, no entity expansion, no huge trees.

Documents declaring a DOCTYPE with entities (billion laughs, external entities / XXE) are refused.
"""

from __future__ import annotations

from lxml import etree

from opencpf.catalogue.exceptions import LheoError

MAX_BYTES = 200 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


UNSAFE_MESSAGE = (
    "Le document contient {kind} : refusé par sécurité (aucune entité n'est développée, "
    "aucune ressource externe n'est chargée)."
)


def parse_bytes(data: bytes, *, allow_doctype_without_entities: bool = False) -> etree._ElementTree:
    if len(data) > MAX_BYTES:
        raise LheoError("Le fichier dépasse la taille maximale acceptée (200 Mo).")
    # Defence in depth: refuse entity declarations before libxml2 sees them (ASCII-compatible encodings);
    # the checks after parsing catch the rest.
    head = data[:65536]
    if b"<!DOCTYPE" in head and b"<!ENTITY" in head:
        raise LheoError(UNSAFE_MESSAGE.format(kind="des entités"), code="lheo_unsafe")
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser=_parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        raise LheoError(f"XML mal formé (ligne {line}) : {exc.msg}", line=line) from exc
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    has_entities = dtd is not None and any(True for _ in dtd.iterentities())
    if has_entities or (docinfo.doctype and not allow_doctype_without_entities):
        kind = "des entités" if has_entities else "une déclaration DOCTYPE"
        raise LheoError(UNSAFE_MESSAGE.format(kind=kind), code="lheo_unsafe")
    for node in tree.iter():
        if isinstance(node, etree._Entity):
            raise LheoError("Le document contient des références d'entités : refusé par sécurité.", code="lheo_unsafe")
    return tree
