"""Reconciliation: the money taken from holders equals what providers are owed plus what went elsewhere.

Per settled dossier (exit declared, service done, or cancelled):
    rights captured + card charged == owed to the provider + refunds + forfeits kept by the operator
where
    rights captured  = the ledger's `capture:<number>` credit to the provider payable account;
    card charged     = card payments (CardPayment, kind charge);
    owed             = due_cents (after exit) or the late-cancellation compensation, whether paid yet or not;
    refunds          = card refunds + rights returned to the holder's accounts after the capture (ledger);
    forfeits         = what the operator's funding accounts received for the dossier (lost rights), net of the
                       compensation it topped up (ledger).
And for every dossier: the payment items of runs add up to `paid_cents`; more paid than owed only with a
recovery of the difference. In total: the transfers posted to the ledger equal the payment lines the bank did not
reject (a rejected line's posting is reversed, key `payment-return:<EndToEndId>`), and each recovery's
`recovered_cents` equals what was deducted on lines the bank did not reject.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Sum

from opencpf.enrolment.enums import CancellationOutcome, DossierState
from opencpf.enrolment.models import CardPayment, Dossier
from opencpf.payments.models import PaymentItem, PaymentLine, ProviderRecovery
from opencpf.rights.enums import HOLDER_KINDS, AccountKind, TransactionKind

EXITED = (DossierState.TERMINATED, DossierState.SERVICE_DONE_DECLARED, DossierState.SERVICE_DONE_VALIDATED)
TOTAL_KEYS = ("captured", "card", "owed", "refunds", "forfeits", "paid", "payable")


@dataclass
class Reconciliation:
    problems: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOTAL_KEYS, 0))
    dossiers: int = 0


def _ledger_by_dossier() -> dict[int, dict[str, int]]:
    holder_kinds = ", ".join(f"'{k.value}'" for k in HOLDER_KINDS)
    sql = (
        "SELECT d.id, "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
        " SUM(CASE WHEN t.idempotency_key = 'capture:' || d.number AND a.kind = %s THEN e.amount_cents ELSE 0 END), "
        f" SUM(CASE WHEN a.kind IN ({holder_kinds}) AND e.amount_cents > 0 AND t.idempotency_key NOT LIKE 'reserve:%%' "
        "  AND t.idempotency_key NOT LIKE 'release:%%' AND t.idempotency_key NOT LIKE 'capture:%%' "
        "  THEN e.amount_cents ELSE 0 END), "
        " SUM(CASE WHEN a.kind = %s THEN e.amount_cents ELSE 0 END) "
        "FROM rights_ledgertransaction t JOIN enrolment_dossier d ON d.number = t.reference "
        "JOIN rights_entry e ON e.transaction_id = t.id JOIN rights_account a ON a.id = e.account_id "
        "WHERE t.kind <> %s GROUP BY d.id"
    )
    out: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [AccountKind.PROVIDER_PAYABLE.value, AccountKind.OPERATOR_FUNDING.value, TransactionKind.PROVIDER_PAYMENT],
        )
        for dossier_id, captured, refunds, forfeits in cursor.fetchall():
            out[dossier_id] = {"captured": int(captured), "refunds": int(refunds), "forfeits": int(forfeits)}
    return out


def reconcile() -> Reconciliation:
    result = Reconciliation()
    ledger = _ledger_by_dossier()
    cards: dict[int, dict[str, int]] = defaultdict(lambda: {"charge": 0, "refund": 0})
    for dossier_id, kind, total in CardPayment.objects.values_list("dossier_id", "kind").annotate(
        total=Sum("amount_cents")
    ):
        cards[dossier_id][kind] = int(total)
    items = dict(
        PaymentItem.objects.filter(returned_at__isnull=True)
        .values_list("dossier_id")
        .annotate(total=Sum("amount_cents"))
    )
    excess = dict(
        ProviderRecovery.objects.filter(key__startswith="advance-excess:")
        .values_list("dossier_id")
        .annotate(total=Sum("amount_cents"))
    )
    candidates = set(ledger) | set(cards) | set(items)
    rows = Dossier.objects.filter(pk__in=candidates) if len(candidates) < 5000 else Dossier.objects.all()
    for d in rows.values(
        "id",
        "number",
        "state",
        "cancellation_outcome",
        "exit_declared_at",
        "due_cents",
        "compensation_cents",
        "paid_cents",
        "closed_at",
    ).iterator(chunk_size=5000):
        if d["id"] not in candidates:
            continue
        money = ledger.get(d["id"], {"captured": 0, "refunds": 0, "forfeits": 0})
        card = cards.get(d["id"], {"charge": 0, "refund": 0})
        paid_by_items = int(items.get(d["id"], 0))
        number = d["number"]
        if paid_by_items != d["paid_cents"]:
            result.problems.append(
                f"dossier {number} : versé {d['paid_cents']} selon le dossier, {paid_by_items} selon les campagnes"
            )
        exited = d["state"] in EXITED or d["exit_declared_at"] is not None
        forfeit = d["cancellation_outcome"] == CancellationOutcome.FORFEIT
        settled = exited or d["closed_at"] is not None
        if not settled:
            continue  # in training: the amount owed is not known yet
        owed = d["due_cents"] if exited else (d["compensation_cents"] if forfeit else 0)
        holder_in = money["captured"] + card["charge"]
        refunds = card["refund"] + money["refunds"]
        out = owed + refunds + money["forfeits"]
        result.dossiers += 1
        if holder_in != out:
            result.problems.append(
                f"dossier {number} : pris aux payeurs {holder_in} ≠ dû à l'organisme {owed} + remboursé {refunds} "
                f"+ conservé par l'opérateur {money['forfeits']} (écart {holder_in - out})"
            )
        if d["paid_cents"] > owed and d["paid_cents"] - owed != int(excess.get(d["id"], 0)) and exited:
            result.problems.append(
                f"dossier {number} : versé {d['paid_cents']} pour {owed} dû, sans récupération de la différence"
            )
        t = result.totals
        t["captured"] += money["captured"]
        t["card"] += card["charge"]
        t["owed"] += owed
        t["refunds"] += refunds
        t["forfeits"] += money["forfeits"]
        t["paid"] += d["paid_cents"]
        t["payable"] += max(owed - d["paid_cents"], 0)

    posted = (
        PaymentLine.objects.filter(ledger_posted_at__isnull=False, rejected_at__isnull=True).aggregate(
            s=Sum("amount_cents")
        )["s"]
        or 0
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(e.amount_cents), 0) FROM rights_entry e JOIN rights_account a ON a.id = e.account_id "
            "WHERE a.kind = %s",
            [AccountKind.PROVIDER_PAID.value],
        )
        wired = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT l.end_to_end_id FROM payments_paymentline l LEFT JOIN rights_ledgertransaction t "
            "ON t.idempotency_key = 'payment:' || l.key WHERE l.ledger_posted_at IS NOT NULL "
            "AND l.amount_cents + l.recovered_cents > 0 AND t.id IS NULL ORDER BY l.id"
        )
        missing = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT l.end_to_end_id FROM payments_paymentline l LEFT JOIN rights_ledgertransaction t "
            "ON t.idempotency_key = 'payment-return:' || l.end_to_end_id WHERE l.rejected_at IS NOT NULL "
            "AND l.ledger_posted_at IS NOT NULL AND t.id IS NULL ORDER BY l.id"
        )
        not_reversed = [row[0] for row in cursor.fetchall()]
        # What each recovery says it recovered is what was deducted on transfers the bank did not reject.
        cursor.execute(
            "SELECT r.key, r.recovered_cents, COALESCE(SUM(CASE WHEN l.rejected_at IS NULL THEN d.amount_cents END), 0) "
            "FROM payments_providerrecovery r LEFT JOIN payments_recoverydeduction d ON d.recovery_id = r.id "
            "LEFT JOIN payments_paymentline l ON l.id = d.line_id GROUP BY r.id, r.key, r.recovered_cents "
            "HAVING r.recovered_cents <> COALESCE(SUM(CASE WHEN l.rejected_at IS NULL THEN d.amount_cents END), 0) "
            "ORDER BY r.id"
        )
        recoveries = cursor.fetchall()
    if wired != posted:
        result.problems.append(f"virements au grand livre {wired} ≠ lignes de paiement comptabilisées {posted}")
    result.problems.extend(f"virement {e2e} : absent du grand livre" for e2e in missing)
    result.problems.extend(f"virement {e2e} : rejeté par la banque mais pas contrepassé" for e2e in not_reversed)
    result.problems.extend(
        f"récupération {key} : {recovered} récupéré selon la récupération, {deducted} selon les virements"
        for key, recovered, deducted in recoveries
    )
    return result
