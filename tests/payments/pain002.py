"""Build a bank's Customer Payment Status Report (pain.002.001.03 or .10) with lxml, as a bank would send it."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree


@dataclass(frozen=True)
class Tx:
    end_to_end_id: str
    status: str | None = "RJCT"
    reason: str | None = None
    amount_cents: int | None = None
    currency: str = "EUR"


def _eur(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def status_report(
    *,
    run_reference: str,
    transactions: list[Tx] = (),  # type: ignore[assignment]
    version: str = "10",
    message_id: str = "BNK-STS-0001",
    group_status: str | None = None,
    group_reason: str | None = None,
    block_id: str | None = None,
    block_status: str | None = None,
    original_type: str = "pain.001.001.09",
    original_count: int | None = None,
    original_sum_cents: int | None = None,
    namespace: str | None = None,
) -> bytes:
    ns = namespace or f"urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version}"

    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
        if text is not None:
            node.text = text
        return node

    def reason(parent: etree._Element, code: str | None) -> None:
        if code:
            el(el(el(parent, "StsRsnInf"), "Rsn"), "Cd", code)

    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    report = el(root, "CstmrPmtStsRpt")
    header = el(report, "GrpHdr")
    el(header, "MsgId", message_id)
    el(header, "CreDtTm", "2026-06-02T08:15:00")
    el(el(el(el(header, "DbtrAgt"), "FinInstnId"), "BICFI" if version == "10" else "BIC"), "BNPAFRPP")
    group = el(report, "OrgnlGrpInfAndSts")
    el(group, "OrgnlMsgId", run_reference)
    el(group, "OrgnlMsgNmId", original_type)
    if original_count is not None:
        el(group, "OrgnlNbOfTxs", str(original_count))
    if original_sum_cents is not None:
        el(group, "OrgnlCtrlSum", _eur(original_sum_cents))
    if group_status:
        el(group, "GrpSts", group_status)
    reason(group, group_reason)
    if transactions or block_status:
        block = el(report, "OrgnlPmtInfAndSts")
        el(block, "OrgnlPmtInfId", block_id or run_reference)
        if block_status:
            el(block, "PmtInfSts", block_status)
        for index, tx in enumerate(transactions):
            node = el(block, "TxInfAndSts")
            el(node, "StsId", f"STS{index:05d}")
            el(node, "OrgnlEndToEndId", tx.end_to_end_id)
            if tx.status:
                el(node, "TxSts", tx.status)
            reason(node, tx.reason)
            if tx.amount_cents is not None:
                ref = el(node, "OrgnlTxRef")
                el(el(ref, "Amt"), "InstdAmt", _eur(tx.amount_cents), Ccy=tx.currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
