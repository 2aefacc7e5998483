"""Idempotent imports of RNCP certifications (France Compétences' files), Formacode, NSF, ROME, communes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import transaction

from opencpf.catalogue.exceptions import ReferentialFileError
from opencpf.catalogue.importers.base import Progress, Summary, no_progress, upsert
from opencpf.catalogue.models import (
    Certification,
    CertificationKind,
    Certifier,
    Commune,
    Formacode,
    Nsf,
    RomeJob,
    RomeTitle,
    SkillBlock,
)

RNCP_ENCODING = "cp1252"
CODE_RE = re.compile(r"^(RNCP|RS)(\d{1,6})$")
RNCP_FILES = {
    "info": "rncp_info",
    "rome": "rncp_rome",
    "nsf": "rncp_nsf",
    "blocks": "rncp_blocs_competences",
    "certifiers": "rncp_certificateurs",
}


def _find(directory: Path, stem: str) -> Path | None:
    found = sorted(directory.glob(f"{stem}*.csv"))
    return found[-1] if found else None


def rncp_files(directory: Path) -> dict[str, Path | None]:
    return {k: _find(directory, stem) for k, stem in RNCP_FILES.items()}


def _read(path: Path, encoding: str, delimiter: str) -> list[dict[str, str]]:
    """Every row of a CSV file; a file that cannot be read as such raises ReferentialFileError (nothing imported)."""
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReferentialFileError(
            f"{path.name} : le fichier n'est pas encodé en {encoding} (octet invalide à la position {exc.start})."
        ) from exc
    if "\x00" in text:
        raise ReferentialFileError(f"{path.name} : le fichier contient des caractères nuls (fichier binaire ?).")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ReferentialFileError(f"{path.name}, ligne {reader.line_num} : CSV illisible ({exc}).") from exc
    if rows and text.strip() and not text.endswith(("\n", "\r")) and None in rows[-1].values():
        raise ReferentialFileError(f"{path.name} : la dernière ligne est incomplète (fichier tronqué ?).")
    return rows


def _us_date(value: str) -> dt.date | None:
    """'8/31/16' (month/day/2-digit year) -> 2016-08-31."""
    value = value.strip()
    if not value:
        return None
    for fmt in ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _clean(value: str | None) -> str:
    return re.sub(r"\s+", " ", (value or "").replace("''", "'")).strip()


def import_certifications(directory: Path, *, progress: Progress = no_progress) -> list[Summary]:
    files = rncp_files(directory)
    if files["info"] is None:
        raise FileNotFoundError(f"rncp_info*.csv introuvable dans {directory}")
    summaries = []
    info = Summary("Certifications")
    rows: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_read(files["info"], RNCP_ENCODING, ";"), start=2):
        progress(1)
        code = (row.get("CodeRNCP") or "").strip().upper()
        m = CODE_RE.match(code)
        if not m:
            info.reject(f"ligne {n}", f"code de certification invalide « {code} »")
            continue
        title = _clean(row.get("intituleDiplome"))
        if not title:
            info.reject(f"ligne {n} ({code})", "intitulé absent")
            continue
        try:
            valid_until = _us_date(row.get("date_fin_validite_enregistrement") or "")
        except ValueError:
            info.reject(f"ligne {n} ({code})", "date de fin de validité illisible")
            continue
        level_txt = (row.get("NiveauEurope") or "").strip()
        level = int(level_txt[6:]) if level_txt.startswith("niveau") and level_txt[6:].isdigit() else None
        values: dict[str, Any] = {
            "kind": CertificationKind.RNCP if m.group(1) == "RNCP" else CertificationKind.RS,
            "title": title[:500],
            "level": level,
            "is_active": (row.get("ActiveInactive") or "").strip().upper() == "ACTIVE",
            "valid_until": valid_until,
            "type_code": _clean(row.get("CodeTypeCertif"))[:60],
            "type_label": _clean(row.get("TypeCertif"))[:200],
            "registration": _clean(row.get("TypeEnregistrement"))[:60],
            "replaced_by": _clean(row.get("NouvelleFiche"))[:20],
        }
        if code in rows:  # the file repeats a code once per former/new sheet: keep the first, merge links
            rows[code]["replaced_by"] = rows[code]["replaced_by"] or values["replaced_by"]
            continue
        rows[code] = values
    # ROME and NSF links are stored on the certification (codes), so they join the same upsert.
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"rome_codes": set(), "nsf_codes": set()})
    nsf_labels: dict[str, str] = {}
    link_summary = Summary("Liens ROME et NSF")
    for kind, col in (("rome", "Rome"), ("nsf", "code")):
        path = files[kind]
        if path is None:
            continue
        for n, row in enumerate(_read(path, RNCP_ENCODING, ";"), start=2):
            progress(1)
            code = (row.get("CodeRNCP") or "").strip().upper()
            value = (row.get(col) or "").strip()
            if code not in rows:
                link_summary.reject(f"{path.name} ligne {n}", f"certification inconnue « {code} »")
                continue
            if kind == "rome" and not re.fullmatch(r"[A-N]\d{4}", value):
                link_summary.reject(f"{path.name} ligne {n} ({code})", f"code ROME invalide « {value} »")
                continue
            if kind == "nsf":
                if not re.fullmatch(r"\d{2,3}[a-z]?", value):
                    link_summary.reject(f"{path.name} ligne {n} ({code})", f"code NSF invalide « {value} »")
                    continue
                nsf_labels.setdefault(value, _clean(row.get("Libelle"))[:300])
            links[code][f"{kind}_codes"].add(value)
    for code, values in rows.items():
        values["rome_codes"] = sorted(links[code]["rome_codes"]) if code in links else []
        values["nsf_codes"] = sorted(links[code]["nsf_codes"]) if code in links else []
    with transaction.atomic():
        cert_ids = upsert(Certification, "code", rows, info)
        known_nsf = set(Nsf.objects.values_list("code", flat=True))
        Nsf.objects.bulk_create([Nsf(code=c, label=lbl) for c, lbl in nsf_labels.items() if c not in known_nsf])
        summaries += [info, link_summary]
        if files["blocks"] is not None:
            blocks = Summary("Blocs de compétences")
            block_rows: dict[str, dict[str, Any]] = {}
            for n, row in enumerate(_read(files["blocks"], RNCP_ENCODING, ";"), start=2):
                progress(1)
                code = (row.get("CodeRNCP") or "").strip().upper()
                bcode = (row.get("numero_bloc") or "").strip().upper()
                title = _clean(row.get("intitule"))
                if code not in cert_ids:
                    blocks.reject(f"ligne {n}", f"certification inconnue « {code} »")
                elif not bcode or not title:
                    blocks.reject(f"ligne {n} ({code})", "bloc sans code ou sans intitulé")
                else:
                    block_rows[bcode[:30]] = {"certification_id": cert_ids[code], "title": title}
            upsert(SkillBlock, "code", block_rows, blocks)
            summaries.append(blocks)
        if files["certifiers"] is not None:
            cs = Summary("Certificateurs")
            pairs: set[tuple[str, str]] = set()
            certifier_rows: dict[str, dict[str, Any]] = {}
            for n, row in enumerate(_read(files["certifiers"], RNCP_ENCODING, ";"), start=2):
                progress(1)
                code = (row.get("CodeRNCP") or "").strip().upper()
                name = _clean(row.get("Certificateur"))[:300]
                if code not in cert_ids:
                    cs.reject(f"ligne {n}", f"certification inconnue « {code} »")
                    continue
                if not name:
                    cs.reject(f"ligne {n} ({code})", "certificateur sans nom")
                    continue
                siret = re.sub(r"\D", "", row.get("siret_organisme") or "")[:14]
                current = certifier_rows.setdefault(name, {"siret": siret})
                current["siret"] = current["siret"] or siret
                pairs.add((code, name))
            certifier_ids = upsert(Certifier, "name", certifier_rows, cs)
            through = Certification.certifiers.through
            existing = set(through.objects.values_list("certification_id", "certifier_id"))
            wanted = {(cert_ids[c], certifier_ids[n]) for c, n in pairs}
            through.objects.bulk_create(
                [through(certification_id=a, certifier_id=b) for a, b in wanted - existing], batch_size=5000
            )
            summaries.append(cs)
    return summaries


def import_formacode(path: Path, *, progress: Progress = no_progress) -> Summary:
    summary = Summary("Formacode")
    rows: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_read(path, "utf-8-sig", ","), start=2):
        progress(1)
        code = (row.get("formacode") or "").strip()
        label = _clean(row.get("description"))
        if not re.fullmatch(r"\d{5}", code):
            summary.reject(f"ligne {n}", f"code Formacode invalide « {code} »")
            continue
        if not label:
            summary.reject(f"ligne {n} ({code})", "libellé absent")
            continue
        parent = (row.get("generic_term") or "").strip()[:5]
        rows[code] = {
            "label": label[:300],
            "field": _clean(row.get("field"))[:200],
            "parent_code": parent if parent.isdigit() else "",
        }
    upsert(Formacode, "code", rows, summary)
    return summary


def import_nsf_dict(path: Path, *, progress: Progress = no_progress) -> Summary:
    """LHEO's NSF dictionary (gml dict): <entry><key val="100"/><value val="..."/></entry>."""
    from opencpf.catalogue.lheo.safe import parse_bytes

    summary = Summary("NSF")
    tree = parse_bytes(path.read_bytes(), allow_doctype_without_entities=True)
    rows: dict[str, dict[str, Any]] = {}
    for entry in tree.iter("{*}entry"):
        progress(1)
        key = entry.find("{*}key")
        value = entry.find("{*}value")
        code = (key.get("val") if key is not None else "") or ""
        label = (value.get("val") if value is not None else "") or ""
        if not re.fullmatch(r"\d{3}[a-z]?", code) or not label:
            summary.reject(f"ligne {entry.sourceline}", f"entrée NSF invalide « {code} »")
            continue
        rows[code] = {"label": _clean(label)[:300]}
    upsert(Nsf, "code", rows, summary)
    return summary


def rome_files(path: Path) -> tuple[Path | None, Path | None]:
    if path.is_file():
        return path, None
    codes = sorted(path.glob("*code_rome*.csv"))
    titles = sorted(path.glob("*appellation*.csv"))
    return (codes[-1] if codes else None), (titles[-1] if titles else None)


@transaction.atomic  # jobs and titles together: a bad titles file leaves nothing imported
def import_rome(codes_path: Path, titles_path: Path | None, *, progress: Progress = no_progress) -> list[Summary]:
    jobs = Summary("Métiers ROME")
    rows: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_read(codes_path, "utf-8-sig", ","), start=2):
        progress(1)
        code = (row.get("code_rome") or "").strip()
        title = _clean(row.get("libelle_rome"))
        if not re.fullmatch(r"[A-N]\d{4}", code):
            jobs.reject(f"ligne {n}", f"code ROME invalide « {code} »")
            continue
        if not title:
            jobs.reject(f"ligne {n} ({code})", "intitulé absent")
            continue
        rows[code] = {"title": title[:300], "parent_code": (row.get("code_rome_parent") or "").strip()[:5]}
    upsert(RomeJob, "code", rows, jobs)
    out = [jobs]
    if titles_path is not None:
        titles = Summary("Appellations ROME")
        trows: dict[str, dict[str, Any]] = {}
        for n, row in enumerate(_read(titles_path, "utf-8-sig", ","), start=2):
            progress(1)
            ogr = (row.get("code_ogr") or "").strip()
            code = (row.get("code_rome") or "").strip()
            title = _clean(row.get("libelle_appellation_long"))
            if not ogr.isdigit() or code not in rows or not title:
                titles.reject(f"ligne {n}", f"appellation invalide (OGR « {ogr} », ROME « {code} »)")
                continue
            trows[ogr] = {"title": title[:300], "rome_code": code}
        upsert(RomeTitle, "ogr_code", trows, titles)
        out.append(titles)
    return out


def import_communes(path: Path, *, progress: Progress = no_progress) -> Summary:
    summary = Summary("Communes")
    rows: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_read(path, "utf-8-sig", ","), start=2):
        progress(1)
        insee = (row.get("REF_INSEE") or "").strip().upper()
        name = _clean(row.get("NAME"))
        if not re.fullmatch(r"[0-9][0-9AB]\d{3}", insee):
            summary.reject(f"ligne {n}", f"code INSEE invalide « {insee} »")
            continue
        try:
            lat = float(row["LATITUDE"]) if row.get("LATITUDE") else None
            lon = float(row["LONGITUDE"]) if row.get("LONGITUDE") else None
        except ValueError:
            summary.reject(f"ligne {n} ({insee})", "coordonnées illisibles")
            continue
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            summary.reject(f"ligne {n} ({insee})", "coordonnées hors limites")
            continue
        postcodes = [p for p in re.split(r"[|;, ]+", row.get("ZIP_CODES") or "") if re.fullmatch(r"\d{5}", p)]
        rows[insee] = {
            "name": name[:150],
            "department_code": (row.get("DEPARTMENT") or "").strip()[:3],
            "region_code": (row.get("REGION") or "").strip()[:3],
            "postcodes": postcodes,
            "latitude": lat,
            "longitude": lon,
            "district_of": (row.get("DISTRICT_OF") or "").strip()[:5] if row.get("IS_DISTRICT") == "1" else "",
        }
    upsert(Commune, "insee_code", rows, summary)
    return summary
