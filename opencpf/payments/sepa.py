"""ISO 20022 pain.001.001.09 credit transfer files, written with `sepaxml`.

Identifiers are derived from stored keys, never random: the message id is the run's, each end-to-end id
is the payment line's, and the creation time is the run's. Re-generating a run's file therefore gives the
same bytes, and a bank can match every transfer to one line of one run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.09"
NS = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
_ID_RE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")


class SepaFileError(Exception):
    """The file could not be written or does not validate against the schema."""


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str  # ≤ 35 chars, derived from the payment line's key
    creditor_name: str
    iban: str
    bic: str | None
    amount_cents: int
    remittance: str  # unstructured remittance information, ≤ 140 chars


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    import sepaxml

    path = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def _check_id(value: str, what: str) -> None:
    if not _ID_RE.match(value):
        raise SepaFileError(f"{what} « {value} » is not a valid SEPA identifier (1-35 allowed characters)")


def build_credit_transfer(
    *,
    debtor: Debtor,
    transfers: list[Transfer],
    message_id: str,
    payment_info_id: str,
    created_at: dt.datetime,
    execution_date: dt.date,
) -> bytes:
    """One payment block, one transaction per transfer; validated against the pain.001.001.09 schema."""
    if not transfers:
        raise SepaFileError("a credit transfer file needs at least one transfer")
    _check_id(message_id, "MsgId")
    _check_id(payment_info_id, "PmtInfId")
    seen: set[str] = set()
    sepa = SepaTransfer(
        {"name": debtor.name, "IBAN": debtor.iban, "BIC": debtor.bic, "batch": True, "currency": "EUR"},
        schema=SCHEMA,
        clean=True,
    )
    for t in transfers:
        _check_id(t.end_to_end_id, "EndToEndId")
        if t.end_to_end_id in seen:
            raise SepaFileError(f"duplicate EndToEndId {t.end_to_end_id}")
        seen.add(t.end_to_end_id)
        if t.amount_cents <= 0:
            raise SepaFileError(f"transfer {t.end_to_end_id}: the amount must be positive")
        payment = {
            "name": t.creditor_name,
            "IBAN": t.iban,
            "amount": t.amount_cents,
            "execution_date": execution_date,
            "description": t.remittance,
            "endtoend_id": t.end_to_end_id,
        }
        if t.bic:
            payment["BIC"] = t.bic
        sepa.add_payment(payment)
    raw = sepa.export(validate=False)

    # Replace the library's random identifiers and clock with the run's stored ones.
    root = etree.fromstring(raw)
    ns = {"p": NS}
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text = message_id
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", ns).text = created_at.strftime("%Y-%m-%dT%H:%M:%S")
    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", ns)
    for index, block in enumerate(blocks):
        block.find("p:PmtInfId", ns).text = payment_info_id if len(blocks) == 1 else f"{payment_info_id[:31]}-{index}"
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    schema = _schema()
    if not schema.validate(etree.fromstring(out)):
        raise SepaFileError(f"the file does not validate against {SCHEMA}: {schema.error_log.last_error}")
    return out
