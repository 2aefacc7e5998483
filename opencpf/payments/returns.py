"""A bank's status report on a run (ISO 20022 pain.002.001.03 or .10): rejected transfers are undone so that no
provider's money is lost.

For each transfer the bank rejected (transaction status RJCT, or the group or payment block rejected as a whole),
in one transaction with the report's import:
- the line is marked rejected with the ISO reason code and its French label;
- its ledger posting (`payment:<line key>`) is reversed entry by entry (key `payment-return:<EndToEndId>`);
- the recoveries deducted on it are restored (they will be deducted again on a later payment);
- its items are `returned_at`, the dossiers' `paid_cents` lowered and their billing state moved back
  (billed/paid -> toBill, depositPaid -> depositWait), so a later run pays them again;
- the provider is held (source `bank_return`) until new bank details are approved, and told so.
Other statuses (ACCP, ACSC, ACTC, PDNG…) are recorded in the report and change nothing.

No XSD of pain.002 is shipped: the structure is checked element by element. A file with any problem changes
nothing and lists every problem; a file already imported (same SHA-256) changes nothing; a line already
rejected is not undone twice.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from lxml import etree

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.money import format_eur
from opencpf.enrolment.enums import BillingState
from opencpf.enrolment.models import Dossier
from opencpf.enrolment.notifications import Note, deliver
from opencpf.payments import sepa
from opencpf.payments.holds import place_hold
from opencpf.payments.models import (
    BankAccountStatus,
    HoldSource,
    PaymentItem,
    PaymentItemKind,
    PaymentLine,
    PaymentRun,
    PaymentRunState,
    PaymentStatusReport,
    ProviderBankAccount,
    ProviderRecovery,
    RecoveryDeduction,
)
from opencpf.rights.enums import TransactionKind
from opencpf.rights.ledger import post
from opencpf.rights.models import Entry, LedgerTransaction

MESSAGE_TYPES = {
    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03": "pain.002.001.03",
    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10": "pain.002.001.10",
}
MAX_BYTES = 20 * 1024 * 1024
REJECTED = "RJCT"
# ISO 20022 ExternalPaymentTransactionStatus1Code; a group may also be PART (partly accepted).
TRANSACTION_STATUSES = frozenset(
    ("ACCC", "ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "ACWP", "BLCK", "CANC", "PDNG", "PRES", "RCVD", "RJCT")
)
GROUP_STATUSES = TRANSACTION_STATUSES | {"PART"}

# ISO 20022 ExternalStatusReason1Code: the reasons banks give for rejecting a credit transfer.
REASON_LABELS = {
    "AC01": "IBAN incorrect",
    "AC03": "compte du bénéficiaire invalide",
    "AC04": "compte clos",
    "AC06": "compte bloqué",
    "AC13": "type de compte invalide",
    "AG01": "opération interdite sur ce compte",
    "AG02": "code d'opération invalide",
    "AM01": "montant nul",
    "AM02": "montant non autorisé",
    "AM04": "provision insuffisante",
    "AM05": "doublon",
    "BE01": "titulaire du compte différent du bénéficiaire",
    "BE04": "adresse du bénéficiaire manquante ou incorrecte",
    "BE05": "donneur d'ordre non reconnu",
    "CNOR": "banque du bénéficiaire injoignable",
    "DNOR": "banque du donneur d'ordre injoignable",
    "DUPL": "fichier en double",
    "ED05": "règlement échoué",
    "FF01": "format de fichier invalide",
    "MD07": "titulaire décédé",
    "MS02": "raison non précisée par le bénéficiaire",
    "MS03": "raison non précisée",
    "NARR": "motif donné en texte libre par la banque",
    "RC01": "BIC incorrect",
    "RR01": "identification du donneur d'ordre manquante (réglementaire)",
    "RR02": "nom ou adresse du donneur d'ordre manquant (réglementaire)",
    "RR03": "nom ou adresse du bénéficiaire manquant (réglementaire)",
    "RR04": "motif réglementaire",
    "TM01": "reçu après l'heure limite",
}

_CODE_RE = re.compile(r"^[A-Z0-9]{4}$")
_TEXT_RE = re.compile(r"^[^\x00-\x1f]{1,35}$")
_AMOUNT_RE = re.compile(r"^\d{1,15}(\.\d{1,2})?$")


def reason_label(code: str) -> str:
    """The French label of an ISO reason code (stored with the rejection, shown to agents and providers)."""
    if not code:
        return "Motif non précisé par la banque"
    label = REASON_LABELS.get(code)
    return label[0].upper() + label[1:] if label else f"Motif {code} (code non répertorié)"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


class StatusReportRefused(DomainError):
    """The report was refused: nothing changed. `problems` lists each one (stable code, French message)."""

    code = "status_report_refused"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = " ; ".join(p.message for p in problems[:20])
        more = f" (et {len(problems) - 20} autre(s))" if len(problems) > 20 else ""
        super().__init__(f"Rapport de la banque refusé, rien n'a été modifié : {shown}{more}", code=problems[0].code)


@dataclass(frozen=True)
class TxStatus:
    end_to_end_id: str
    status: str  # the transaction's own status, or "" when it has none (it follows its block or group)
    reason: str
    amount_cents: int | None
    currency: str


@dataclass
class ParsedReport:
    message_type: str
    message_id: str
    original_message_id: str
    original_message_type: str
    original_count: int | None
    original_sum_cents: int | None
    group_status: str
    group_reason: str
    blocks: list[tuple[str, str, str]] = field(default_factory=list)  # (OrgnlPmtInfId, PmtInfSts, reason)
    transactions: list[TxStatus] = field(default_factory=list)


@dataclass
class ImportOutcome:
    report: PaymentStatusReport
    created: bool
    rejected: list[PaymentLine] = field(default_factory=list)


def _refuse(code: str, message: str) -> StatusReportRefused:
    return StatusReportRefused([Problem(code, message)])


def _parse_xml(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise _refuse("status_report_unreadable", "Le fichier dépasse la taille maximale acceptée (20 Mo).")
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise _refuse("status_report_unreadable", "Le fichier contient une déclaration DOCTYPE : refusé par sécurité.")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:  # the parser loads no DTD, expands no entity, reads no network
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse("status_report_unreadable", f"Le fichier n'est pas un XML lisible : {exc.msg}.") from exc
    if etree.ElementTree(root).docinfo.doctype:
        raise _refuse("status_report_unreadable", "Le fichier contient une déclaration DOCTYPE : refusé par sécurité.")
    return root


def _amount_cents(text: str | None) -> int | None:
    if text is None:
        return None
    value = text.strip()
    if not _AMOUNT_RE.match(value):
        raise ValueError(value)
    try:
        return int(Decimal(value) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refuses it
        raise ValueError(value) from exc


def parse_status_report(data: bytes) -> ParsedReport:
    """Read a pain.002 Customer Payment Status Report; refuse any other message or a malformed structure."""
    root = _parse_xml(data)
    namespace = etree.QName(root).namespace or ""
    message_type = MESSAGE_TYPES.get(namespace)
    if message_type is None or etree.QName(root).localname != "Document":
        shown = namespace or "aucun espace de noms"
        raise _refuse(
            "status_report_wrong_type",
            f"Ce fichier n'est pas un rapport de statut de paiement pain.002.001.03 ou pain.002.001.10 ({shown}).",
        )
    ns = {"p": namespace}
    report = root.find("p:CstmrPmtStsRpt", ns)
    if report is None or len(root) != 1:
        raise _refuse(
            "status_report_wrong_type",
            "Le document ne contient pas de rapport de statut de paiement (CstmrPmtStsRpt) : autre type de message.",
        )
    problems: list[Problem] = []

    def text(node: Any, path: str, *, required: bool, pattern: re.Pattern[str] = _TEXT_RE) -> str:
        found = node.findall(path, ns) if node is not None else []
        if len(found) > 1:
            problems.append(Problem("status_report_malformed", f"Élément {path} répété."))
            return ""
        value = (found[0].text or "").strip() if found else ""
        if not found:
            if required:
                problems.append(Problem("status_report_malformed", f"Élément obligatoire {path} absent."))
            return ""
        if not pattern.match(value):
            problems.append(Problem("status_report_malformed", f"Valeur invalide pour {path} : « {value[:40]} »."))
            return ""
        return value

    def reason(node: Any) -> str:
        infos = node.findall("p:StsRsnInf", ns)
        for info in infos:
            code = text(info, "p:Rsn/p:Cd", required=False, pattern=_CODE_RE)
            if code:
                return code
            proprietary = text(info, "p:Rsn/p:Prtry", required=False)
            if proprietary:
                return proprietary
        return ""

    def status(node: Any, path: str, allowed: frozenset[str]) -> str:
        value = text(node, path, required=False, pattern=_CODE_RE)
        if value and value not in allowed:
            problems.append(Problem("status_report_malformed", f"Statut inconnu {path} : « {value} »."))
            return ""
        return value

    header = report.find("p:GrpHdr", ns)
    if header is None:
        problems.append(Problem("status_report_malformed", "Élément obligatoire GrpHdr absent."))
    message_id = text(header, "p:MsgId", required=True)
    text(header, "p:CreDtTm", required=True, pattern=re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.+\-Z]+$"))
    group = report.findall("p:OrgnlGrpInfAndSts", ns)
    if len(group) != 1:
        problems.append(Problem("status_report_malformed", "Il faut exactement un élément OrgnlGrpInfAndSts."))
        raise StatusReportRefused(problems)
    info = group[0]
    parsed = ParsedReport(
        message_type=message_type,
        message_id=message_id,
        original_message_id=text(info, "p:OrgnlMsgId", required=True),
        original_message_type=text(info, "p:OrgnlMsgNmId", required=True),
        original_count=None,
        original_sum_cents=None,
        group_status=status(info, "p:GrpSts", GROUP_STATUSES),
        group_reason=reason(info),
    )
    count = text(info, "p:OrgnlNbOfTxs", required=False, pattern=re.compile(r"^\d{1,15}$"))
    parsed.original_count = int(count) if count else None
    try:
        parsed.original_sum_cents = _amount_cents(info.findtext("p:OrgnlCtrlSum", namespaces=ns))
    except ValueError:
        problems.append(Problem("status_report_malformed", "Valeur invalide pour OrgnlCtrlSum."))
    for block in report.findall("p:OrgnlPmtInfAndSts", ns):
        block_id = text(block, "p:OrgnlPmtInfId", required=True)
        block_status = status(block, "p:PmtInfSts", GROUP_STATUSES)
        parsed.blocks.append((block_id, block_status, reason(block)))
        for tx in block.findall("p:TxInfAndSts", ns):
            e2e = text(tx, "p:OrgnlEndToEndId", required=True)
            tx_status = status(tx, "p:TxSts", TRANSACTION_STATUSES)
            amount_node = tx.find("p:OrgnlTxRef/p:Amt/p:InstdAmt", ns)
            try:
                amount = _amount_cents(amount_node.text if amount_node is not None else None)
            except ValueError:
                problems.append(Problem("status_report_malformed", f"Montant invalide pour le virement {e2e}."))
                amount = None
            currency = amount_node.get("Ccy", "") if amount_node is not None else ""
            if e2e and not (tx_status or block_status or parsed.group_status):
                problems.append(Problem("status_report_malformed", f"Le virement {e2e} n'a pas de statut (TxSts)."))
            if e2e:
                parsed.transactions.append(TxStatus(e2e, tx_status, reason(tx), amount, currency))
    if not parsed.group_status and not parsed.transactions and not any(s for _, s, _ in parsed.blocks):
        problems.append(
            Problem("status_report_malformed", "Le rapport ne donne aucun statut (GrpSts, PmtInfSts, TxSts).")
        )
    if problems:
        raise StatusReportRefused(problems)
    return parsed


def _check(parsed: ParsedReport, run: PaymentRun | None, lines: dict[str, PaymentLine]) -> list[Problem]:
    """Every reason to refuse the report against the run's stored lines (nothing is changed yet)."""
    if run is None:
        return [
            Problem(
                "status_report_unknown_run",
                f"Le rapport porte sur le message {parsed.original_message_id}, qui n'est pas une campagne de "
                "paiement de la plateforme.",
            )
        ]
    problems: list[Problem] = []
    if parsed.original_message_type != sepa.SCHEMA:
        problems.append(
            Problem(
                "status_report_unknown_run",
                f"Le rapport porte sur un message {parsed.original_message_type}, pas sur le fichier "
                f"{sepa.SCHEMA} de la campagne.",
            )
        )
    if run.state not in (PaymentRunState.SENT, PaymentRunState.CONFIRMED):
        problems.append(
            Problem(
                "status_report_run_state",
                f"La campagne {run.reference} n'est pas marquée comme envoyée à la banque "
                f"(état : {run.get_state_display()}).",
            )
        )
    total = sum(line.amount_cents for line in lines.values())
    if parsed.original_count is not None and parsed.original_count != len(lines):
        problems.append(
            Problem(
                "status_report_amount_mismatch",
                f"Le rapport compte {parsed.original_count} virement(s), le fichier de la campagne {len(lines)}.",
            )
        )
    if parsed.original_sum_cents is not None and parsed.original_sum_cents != total:
        problems.append(
            Problem(
                "status_report_amount_mismatch",
                f"Le total du rapport ({format_eur(parsed.original_sum_cents)}) n'est pas celui du fichier de la "
                f"campagne ({format_eur(total)}).",
            )
        )
    for block_id, _, _ in parsed.blocks:
        if block_id != run.reference:
            problems.append(
                Problem(
                    "status_report_unknown_run", f"Le lot {block_id} n'appartient pas à la campagne {run.reference}."
                )
            )
    seen: dict[str, str] = {}
    for tx in parsed.transactions:
        line = lines.get(tx.end_to_end_id)
        if line is None:
            problems.append(
                Problem(
                    "status_report_unknown_transaction",
                    f"Le virement {tx.end_to_end_id} n'est pas un virement de la campagne {run.reference}.",
                )
            )
            continue
        if tx.end_to_end_id in seen and seen[tx.end_to_end_id] != tx.status:
            problems.append(
                Problem("status_report_malformed", f"Le virement {tx.end_to_end_id} a deux statuts différents.")
            )
        seen[tx.end_to_end_id] = tx.status
        if tx.amount_cents is not None and (tx.amount_cents != line.amount_cents or tx.currency != "EUR"):
            problems.append(
                Problem(
                    "status_report_amount_mismatch",
                    f"Le virement {tx.end_to_end_id} : {format_eur(tx.amount_cents)} {tx.currency} dans le rapport, "
                    f"{format_eur(line.amount_cents)} EUR dans la campagne.",
                )
            )
    return problems


def _rejections(parsed: ParsedReport, lines: dict[str, PaymentLine]) -> dict[str, str]:
    """EndToEndId -> reason code of every transfer the report rejects."""
    out: dict[str, str] = {}
    whole = ""
    if parsed.group_status == REJECTED:
        whole = parsed.group_reason or "-"
    for _, block_status, block_reason in parsed.blocks:
        if block_status == REJECTED:  # one payment block per run: it holds every transfer
            whole = whole or block_reason or "-"
    if whole:
        out = dict.fromkeys(lines, whole)
    for tx in parsed.transactions:
        if tx.status == REJECTED:
            out[tx.end_to_end_id] = tx.reason or out.get(tx.end_to_end_id) or "-"
    return {e2e: "" if code == "-" else code for e2e, code in out.items()}


def import_status_report(*, data: bytes, by: Any = None, reason: str, request: Any = None) -> ImportOutcome:
    """Import a bank's pain.002 on a run: all or nothing, once. See the module's docstring."""
    reason = reason.strip()
    if not reason:
        raise _refuse("status_report_reason_required", "Indiquez le motif de l'import du rapport de la banque.")
    digest = hashlib.sha256(data).hexdigest()
    existing = PaymentStatusReport.objects.filter(sha256=digest).first()
    if existing is not None:
        return ImportOutcome(existing, created=False)
    parsed = parse_status_report(data)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().filter(reference=parsed.original_message_id).first()
        existing = PaymentStatusReport.objects.filter(sha256=digest).first()  # imported while we waited
        if existing is not None:
            return ImportOutcome(existing, created=False)
        lines = {
            line.end_to_end_id: line
            for line in PaymentLine.objects.select_for_update(of=("self",))
            .filter(run=run, amount_cents__gt=0)
            .select_related("provider")
            .order_by("id")
        }
        problems = _check(parsed, run, lines)
        if problems:
            raise StatusReportRefused(problems)
        assert run is not None  # nosec B101
        rejections = _rejections(parsed, lines)
        own = {tx.end_to_end_id: tx for tx in parsed.transactions}
        inherited = next((s for _, s, _ in parsed.blocks if s), "") or parsed.group_status
        transactions = [
            {
                "end_to_end_id": e2e,
                "status": REJECTED if e2e in rejections else ((own[e2e].status if e2e in own else "") or inherited),
                "reason": rejections.get(e2e, own[e2e].reason if e2e in own else ""),
            }
            for e2e in lines
            if e2e in own or e2e in rejections
        ]
        now = clock.now()
        report = PaymentStatusReport.objects.create(
            run=run,
            message_id=parsed.message_id,
            message_type=parsed.message_type,
            sha256=digest,
            content=data,
            group_status=parsed.group_status,
            statuses=dict(Counter(t["status"] or "-" for t in transactions)),
            transactions=transactions,
            imported_at=now,
            imported_by=by if getattr(by, "pk", None) else None,
            reason=reason[:500],
        )
        outcome = ImportOutcome(report, created=True)
        for e2e, code in rejections.items():
            line = lines[e2e]
            if line.rejected_at is None:
                _return_line(line, code=code, report=report, by=by, now=now)
                outcome.rejected.append(line)
        report.rejected_count = len(outcome.rejected)
        report.rejected_cents = sum(line.amount_cents for line in outcome.rejected)
        report.save(update_fields=["rejected_count", "rejected_cents"])
        audit_record(
            actor=by,
            action="payments.status_report_imported",
            obj=report,
            request=request,
            reason=reason,
            data={
                "run": run.reference,
                "message_id": parsed.message_id,
                "statuses": report.statuses,
                "rejected": [line.end_to_end_id for line in outcome.rejected],
            },
        )
    return outcome


def _return_line(line: PaymentLine, *, code: str, report: PaymentStatusReport, by: Any, now: Any) -> None:
    label = reason_label(code)
    # 1. The ledger: the line's posting, entry by entry, the other way round.
    original = LedgerTransaction.objects.filter(idempotency_key=f"payment:{line.key}").first()
    if original is not None:
        entries = list(Entry.objects.filter(transaction=original).select_related("account").order_by("id"))
        post(
            key=f"payment-return:{line.end_to_end_id}",
            kind=TransactionKind.PROVIDER_PAYMENT,
            lines=[(entry.account, -entry.amount_cents) for entry in entries],
            reference=line.end_to_end_id,
            label=f"Rejet par la banque du virement {line.end_to_end_id} ({code or 'sans motif'})",
            actor=by,
        )
    # 2. Recoveries deducted on the line are owed again (deducted on a later payment).
    for recovery_id, amount in RecoveryDeduction.objects.filter(line=line).values_list("recovery_id", "amount_cents"):
        ProviderRecovery.objects.filter(pk=recovery_id).update(recovered_cents=F("recovered_cents") - amount)
    # 3. The dossiers' amounts wired by this line are released (nothing was wired for a zero item).
    items = PaymentItem.objects.filter(line=line, returned_at__isnull=True, amount_cents__gt=0)
    per_dossier = (
        items.filter(dossier=OuterRef("pk")).values("dossier").annotate(total=Sum("amount_cents")).values("total")
    )
    dossier_ids = list(items.values_list("dossier_id", flat=True).distinct())
    Dossier.objects.filter(pk__in=dossier_ids).update(paid_cents=F("paid_cents") - Subquery(per_dossier))
    Dossier.objects.filter(
        pk__in=items.filter(kind=PaymentItemKind.BALANCE).values("dossier_id"),
        billing_state__in=(BillingState.BILLED, BillingState.PAID),
    ).update(billing_state=BillingState.TO_BILL)
    Dossier.objects.filter(
        pk__in=items.filter(kind=PaymentItemKind.ADVANCE).values("dossier_id"),
        billing_state=BillingState.DEPOSIT_PAID,
    ).update(billing_state=BillingState.DEPOSIT_WAIT)
    items.update(returned_at=now)
    line.rejected_at, line.rejection_code, line.rejection_label = now, code, label[:200]
    line.status_report = report
    line.save(update_fields=["rejected_at", "rejection_code", "rejection_label", "status_report"])
    # 4. Held until new bank details are approved (unless they were changed since the run), and told so.
    account = ProviderBankAccount.objects.filter(provider=line.provider_id, status=BankAccountStatus.ACTIVE).first()
    same_account = account is None or account.iban == line.iban
    if same_account:
        place_hold(
            source=HoldSource.BANK_RETURN,
            source_ref=line.end_to_end_id,
            reason=f"Virement {line.end_to_end_id} rejeté par la banque ({label}) : nouvelles coordonnées bancaires "
            "à faire valider.",
            by=by,
            provider=line.provider,
        )
    _notify(line, label=label, dossier_ids=dossier_ids, same_account=same_account)


def _notify(line: PaymentLine, *, label: str, dossier_ids: list[int], same_account: bool) -> None:
    if not dossier_ids:
        return
    numbers = sorted(Dossier.objects.filter(pk__in=dossier_ids).values_list("number", flat=True))
    shown = ", ".join(numbers[:20]) + (f" et {len(numbers) - 20} autre(s)" if len(numbers) > 20 else "")
    action = (
        "Action à faire : mettez à jour vos coordonnées bancaires dans votre espace organisme (Paiements, "
        "Coordonnées bancaires). Vos paiements sont suspendus jusqu'à la validation des nouvelles coordonnées."
        if same_account
        else "Vos nouvelles coordonnées bancaires, déjà validées, seront utilisées. Aucune action n'est attendue "
        "de votre part."
    )
    deliver(
        min(dossier_ids),
        None,
        Note(
            f"Virement {line.end_to_end_id} rejeté par votre banque",
            f"Votre banque a rejeté le virement {line.end_to_end_id} de {format_eur(line.amount_cents)} "
            f"(campagne de paiement {line.key.split(':')[0]}). Motif : {label}. Les montants des dossiers {shown} "
            f"seront payés de nouveau lors d'une prochaine campagne. {action}",
        ),
    )
