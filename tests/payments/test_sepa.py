import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from opencpf.payments.sepa import Debtor, SepaFileError, Transfer, build_credit_transfer

SHARED_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sepa" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
DEBTOR = Debtor(name="Caisse des dépôts – CPF", iban="FR7630001007941234567890185", bic="BDFEFRPPCCT")


def transfers(n: int = 3) -> list[Transfer]:
    return [
        Transfer(
            end_to_end_id=f"OCPF-L{i:08d}",
            creditor_name=f"Organisme Éducation n°{i}",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP" if i % 2 else None,
            amount_cents=100_000 + i,
            remittance=f"CPF paiement dossiers lot {i}",
        )
        for i in range(1, n + 1)
    ]


def build(items=None, **kw):
    args = dict(
        debtor=DEBTOR,
        transfers=items or transfers(),
        message_id="OCPF-RUN-2026-000042",
        payment_info_id="OCPF-RUN-2026-000042-P",
        created_at=dt.datetime(2026, 3, 2, 10, 0),
        execution_date=dt.date(2026, 3, 3),
    )
    args.update(kw)
    return build_credit_transfer(**args)


@pytest.fixture(scope="module")
def shared_schema():
    if not SHARED_XSD.exists():
        pytest.skip(f"reference schema absent: {SHARED_XSD} (../shared/data is present in CI)")
    return etree.XMLSchema(etree.parse(str(SHARED_XSD)))


def test_file_validates_against_the_reference_xsd(shared_schema):
    doc = etree.fromstring(build())
    assert shared_schema.validate(doc), shared_schema.error_log
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "3000.06"


def test_ids_come_from_stored_keys_and_the_file_is_reproducible():
    first, second = build(), build()
    assert first == second
    doc = etree.fromstring(first)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == "OCPF-RUN-2026-000042"
    ids = [e.text for e in doc.iterfind(".//p:PmtId/p:EndToEndId", namespaces=NS)]
    assert ids == ["OCPF-L00000001", "OCPF-L00000002", "OCPF-L00000003"]
    amounts = [e.text for e in doc.iterfind(".//p:Amt/p:InstdAmt", namespaces=NS)]
    assert amounts == ["1000.01", "1000.02", "1000.03"]


def _one(**changes) -> list[Transfer]:
    return [Transfer(**{**transfers(1)[0].__dict__, **changes})]


@pytest.mark.parametrize(
    "items",
    [
        transfers(1) * 2,  # duplicate end-to-end id
        _one(amount_cents=0),
        _one(end_to_end_id="x" * 36),
        _one(iban="FR76 not an iban"),
        [],
    ],
    ids=["duplicate-id", "zero-amount", "long-id", "bad-iban", "empty"],
)
def test_bad_transfers_are_refused(items):
    with pytest.raises(SepaFileError):
        build_credit_transfer(
            debtor=DEBTOR,
            transfers=items,
            message_id="M1",
            payment_info_id="P1",
            created_at=dt.datetime(2026, 3, 2),
            execution_date=dt.date(2026, 3, 3),
        )
