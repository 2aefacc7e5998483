"""Employers' yearly declarations (DSN figures): parse, validate, import. Format: docs/rights.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from stdnum.fr import siret as stdnum_siret

from opencpf.core import clock, csvsafe
from opencpf.identity import nir as nir_lib
from opencpf.rights.enums import ABSENCE_CODES, AccountKind
from opencpf.rights.models import Account, Declaration

FIELDS = (
    "declaration_id",
    "employer_siret",
    "nir",
    "year",
    "paid_hours",
    "reference_hours",
    "part_time_rate",
    "gross_pay",
    "low_qualification",
    "disabled_worker",
    "absences",
)
COMPARED = (
    "declaration_id",
    "paid_hours_x100",
    "reference_hours_x100",
    "part_time_rate_bp",
    "gross_pay_cents",
    "absences",
    "low_qualification",
    "disabled_worker",
)
MAX_REFERENCE_HOURS = 2_800
MAX_PAID_HOURS = 4_000
MAX_GROSS_PAY_CENTS = 1_000_000_00
BATCH = 2_000


class LineError(Exception):
    pass


@dataclass
class ImportResult:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.corrected + self.unchanged


def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise LineError(f"{name} : « {value} » n'est pas un nombre") from None
    if not number.is_finite():
        raise LineError(f"{name} : « {value} » n'est pas un nombre")
    return number


def _hundredths(value: Any, name: str, maximum: int) -> int | None:
    number = _decimal(value, name)
    if number is None:
        return None
    if number < 0 or number > maximum:
        raise LineError(f"{name} hors limites ({number} ; attendu entre 0 et {maximum})")
    return int((number * 100).to_integral_value())


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "0", "non", "false", "n"):
        return False
    if text in ("1", "oui", "true", "o", "y"):
        return True
    raise LineError(f"{name} : « {value} » n'est pas une valeur oui/non")


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise LineError(f"{name} : « {value} » n'est pas une date AAAA-MM-JJ") from None


def _absences(value: Any, year: int, reference_x100: int | None) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = []
        for chunk in value.split("|"):
            parts = chunk.strip().split(":")
            if len(parts) != 4:
                raise LineError(f"absence « {chunk} » : format attendu CODE:début:fin:heures")
            items.append(dict(zip(("code", "start", "end", "hours"), parts, strict=True)))
    elif isinstance(value, list):
        items = value
    else:
        raise LineError("absences : liste attendue")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise LineError("absences : chaque période est un objet {code, start, end, hours}")
        code = str(item.get("code", "")).strip()
        if code not in ABSENCE_CODES:
            raise LineError(f"code d'absence inconnu « {code} »")
        start, end = _date(item.get("start"), "début d'absence"), _date(item.get("end"), "fin d'absence")
        if start > end or start.year != year or end.year != year:
            raise LineError(f"période d'absence {start} – {end} hors de l'année {year} ou inversée")
        hours = _hundredths(item.get("hours"), "heures d'absence", MAX_REFERENCE_HOURS)
        if hours is None:
            raise LineError("heures d'absence manquantes")
        if reference_x100 is not None and hours > reference_x100:
            raise LineError("heures d'absence supérieures à la durée de référence")
        out.append({"code": code, "start": start.isoformat(), "end": end.isoformat(), "hours_x100": hours})
    return out


def parse_record(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one declaration; returns model fields (with nir_hash, never the NIR) or raises LineError."""
    declaration_id = str(raw.get("declaration_id") or "").strip()
    if not declaration_id or len(declaration_id) > 64:
        raise LineError("identifiant de déclaration manquant ou trop long")
    siret = re.sub(r"\s", "", str(raw.get("employer_siret") or ""))
    if not stdnum_siret.is_valid(siret):
        raise LineError("SIRET de l'employeur invalide")
    try:
        nir_hash = nir_lib.nir_hash(nir_lib.validate(str(raw.get("nir") or "")))
    except nir_lib.InvalidNir as exc:
        raise LineError(f"NIR invalide : {exc.message}") from None
    try:
        year = int(str(raw.get("year") or "").strip())
    except ValueError:
        raise LineError("année invalide") from None
    if not 2015 <= year <= clock.today().year:
        raise LineError(f"année {year} hors limites")
    reference = _hundredths(raw.get("reference_hours"), "durée de référence", MAX_REFERENCE_HOURS)
    if reference == 0:
        raise LineError("durée de référence nulle")
    paid = _hundredths(raw.get("paid_hours"), "heures rémunérées", MAX_PAID_HOURS)
    rate = _decimal(raw.get("part_time_rate"), "quotité")
    if rate is not None and not 0 < rate <= 100:
        raise LineError(f"quotité hors limites ({rate} ; attendu entre 0 et 100 %)")
    rate_bp = None if rate is None else int((rate * 100).to_integral_value())
    gross = _decimal(raw.get("gross_pay"), "rémunération brute")
    gross_cents = None if gross is None else int((gross * 100).to_integral_value())
    if gross_cents is not None and not 0 <= gross_cents <= MAX_GROSS_PAY_CENTS:
        raise LineError("rémunération brute hors limites")
    absences = _absences(raw.get("absences"), year, reference)
    worked: int | None = None
    if paid is not None and reference is not None:
        worked = paid
    elif rate_bp is not None and reference is not None:
        worked = reference * rate_bp // 10_000
    if worked is not None:
        worked += sum(a["hours_x100"] for a in absences if ABSENCE_CODES[a["code"]][1])
    elif gross_cents is None:
        raise LineError("ni heures (avec durée de référence) ni rémunération sans heures")
    return {
        "declaration_id": declaration_id,
        "employer_siret": siret,
        "nir_hash": nir_hash,
        "year": year,
        "paid_hours_x100": paid,
        "reference_hours_x100": reference,
        "part_time_rate_bp": rate_bp,
        "gross_pay_cents": gross_cents,
        "absences": absences,
        "low_qualification": _bool(raw.get("low_qualification"), "sans niveau CAP"),
        "disabled_worker": _bool(raw.get("disabled_worker"), "OETH"),
        "worked_hours_x100": worked,
    }


class UnreadableFile(Exception):
    """The file cannot be read to its end (encoding, binary, truncated, broken CSV): refused whole."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _truncated(text: str) -> bool:
    return bool(text.strip()) and not text.endswith(("\n", "\r"))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, raw record or None, error) for a CSV, JSON array or JSON Lines file.

    Raises UnreadableFile when the file as a whole cannot be trusted (then nothing of it is imported)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            0, f"fichier non encodé en UTF-8 (octet invalide à la position {exc.start}) : enregistrez-le en UTF-8"
        ) from exc
    if "\x00" in text:
        raise UnreadableFile(0, "fichier illisible : il contient des caractères nuls (fichier binaire, ou UTF-16 ?)")
    stripped = text.lstrip()
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson") or stripped.startswith(("[", "{")):
        if stripped.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UnreadableFile(exc.lineno, f"JSON illisible : {exc.msg}") from exc
            except RecursionError as exc:
                raise UnreadableFile(1, "JSON illisible : structure trop imbriquée") from exc
            if not isinstance(items, list):
                raise UnreadableFile(1, "JSON illisible : une liste d'objets est attendue")
            for index, item in enumerate(items, start=1):
                yield index, item if isinstance(item, dict) else None, "" if isinstance(item, dict) else "objet attendu"
            return
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                if number == len(lines) and _truncated(text):
                    raise UnreadableFile(number, "fichier tronqué : la dernière ligne est incomplète") from exc
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "structure trop imbriquée"
                yield number, None, f"JSON illisible : {reason}"
                continue
            yield number, item if isinstance(item, dict) else None, "" if isinstance(item, dict) else "objet attendu"
        return
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise UnreadableFile(1, f"en-tête incomplet, colonnes manquantes : {', '.join(missing)}")
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # a field over csv.field_size_limit(), a broken quote...
        raise UnreadableFile(reader.line_num, f"CSV illisible : {exc}") from exc
    if rows and _truncated(text) and None in rows[-1][1].values():
        raise UnreadableFile(rows[-1][0], "fichier tronqué : la dernière ligne est incomplète")
    for line_num, row in rows:
        yield line_num, row, ""


def _key(fields: dict[str, Any]) -> tuple[int, str, str]:
    return (fields["year"], fields["nir_hash"], fields["employer_siret"])


def declarations_import(*, path: Path, strict: bool = False) -> ImportResult:
    """Import a declarations file. Same figures: unchanged; same employer+holder+year: a correction.

    strict: any bad line refuses the whole file (nothing written; result.rejected lists the lines).
    """
    result = ImportResult()
    good: dict[tuple[int, str, str], dict[str, Any]] = {}
    try:
        for line, raw, error in read_rows(path):
            if raw is None:
                result.rejected.append((line, error))
                continue
            try:
                fields = parse_record(raw)
            except LineError as exc:
                result.rejected.append((line, str(exc)))
                continue
            good.pop(_key(fields), None)
            good[_key(fields)] = fields  # a later line in the same file corrects an earlier one
    except UnreadableFile as exc:
        result.rejected.append((exc.line, f"{exc.message} ; rien n'a été importé"))
        return result
    if strict and result.rejected:
        return result
    records = list(good.values())
    for start in range(0, len(records), BATCH):
        _import_batch(records[start : start + BATCH], result)
    return result


def _import_batch(records: list[dict[str, Any]], result: ImportResult) -> None:
    now = clock.now()
    with transaction.atomic():
        nir_hashes = {r["nir_hash"] for r in records}
        existing = {
            (d.year, d.nir_hash, d.employer_siret): d
            for d in Declaration.objects.select_for_update().filter(nir_hash__in=nir_hashes)
        }
        to_create, to_update = [], []
        for fields in records:
            current = existing.get(_key(fields))
            if current is None:
                to_create.append(Declaration(imported_at=now, **fields))
            elif all(getattr(current, name) == fields[name] for name in COMPARED):
                result.unchanged += 1
            else:
                for name, value in fields.items():
                    setattr(current, name, value)
                current.revision += 1
                current.imported_at = now
                to_update.append(current)
        Declaration.objects.bulk_create(to_create)
        # Rights exist before the holder activates an account: the account is keyed by the NIR hash.
        Account.objects.bulk_create(
            [Account(kind=AccountKind.RIGHTS, nir_hash=d.nir_hash) for d in to_create], ignore_conflicts=True
        )
        Declaration.objects.bulk_update(
            to_update, [*COMPARED, "worked_hours_x100", "revision", "imported_at"], batch_size=500
        )
        result.created += len(to_create)
        result.corrected += len(to_update)


def rejection_report(result: ImportResult, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvsafe.writer(handle, delimiter=";")
        writer.writerow(["ligne", "motif"])
        writer.writerows(result.rejected)
