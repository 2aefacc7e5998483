"""Yearly crediting of rights from employers' declarations, set-based (SQL over all holders at once).

The rule (pure, in `yearly_credit_cents`) and the SQL compute the same thing:
- each declaration gives a share of a full year, in millionths: worked hours / reference hours, or, paid
  without hours, gross pay / (reference annual hours x hourly SMIC);
- the shares of all employers are added; at or above the half-time threshold the full yearly amount is due,
  below it the amount pro rata of the share;
- 800 € / 8 000 € instead of 500 € / 5 000 € if any declaration flags low qualification or the OETH;
- the credit never raises the rights balance above the cap; a correction posts the difference only.

Each chunk of accounts is one database transaction (locks the year's run row; diffs recomputed from the
ledger under that lock), so a killed run leaves whole chunks and a re-run completes exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from opencpf.core import clock
from opencpf.core.params import params_on
from opencpf.rights.enums import AccountKind, TransactionKind
from opencpf.rights.ledger import platform_account
from opencpf.rights.models import CreditYearRun, LedgerTransaction

PPM = 1_000_000
PARAM_KEYS = [
    "yearly_credit_cents",
    "yearly_cap_cents",
    "yearly_credit_low_qualification_cents",
    "yearly_cap_low_qualification_cents",
    "reference_annual_hours",
    "half_time_threshold_bp",
    "smic_hourly_cents",
]


def parameters_for(year: int) -> dict[str, int]:
    """Parameters in force on 31 December of the year worked (the SMIC too)."""
    return params_on(PARAM_KEYS, on=dt.date(year, 12, 31))


def declaration_share_ppm(
    *, worked_hours_x100: int | None, reference_hours_x100: int | None, gross_pay_cents: int | None, p: dict[str, int]
) -> int:
    if worked_hours_x100 is not None and reference_hours_x100:
        return worked_hours_x100 * PPM // reference_hours_x100
    if gross_pay_cents is not None:
        return gross_pay_cents * PPM // (p["reference_annual_hours"] * p["smic_hourly_cents"])
    return 0


def yearly_target_cents(*, share_ppm: int, boosted: bool, p: dict[str, int]) -> int:
    amount = p["yearly_credit_low_qualification_cents"] if boosted else p["yearly_credit_cents"]
    if share_ppm >= p["half_time_threshold_bp"] * 100:
        return amount
    return amount * share_ppm // PPM


def yearly_credit_cents(
    *, target_cents: int, boosted: bool, balance_cents: int, already_credited_cents: int, p: dict[str, int]
) -> int:
    """The amount to post now (negative for a downward correction, never below -balance)."""
    cap = p["yearly_cap_low_qualification_cents"] if boosted else p["yearly_cap_cents"]
    room = max(0, cap - (balance_cents - already_credited_cents))
    want = min(target_cents, room)
    return max(want - already_credited_cents, -balance_cents)


@dataclass
class CreditResult:
    holders: int = 0
    chunks: int = 0
    credited_accounts: int = 0
    total_cents: int = 0
    seconds: float = 0.0


def _exec(sql: str, params: list | tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scalar(sql: str, params: list | tuple = ()) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None or row[0] is None else int(row[0])


def _prepare(year: int, p: dict[str, int]) -> None:
    """Create missing rights accounts (by NIR hash) and a temporary table of each holder's share."""
    now = clock.now()
    _exec(
        "INSERT INTO rights_account (kind, nir_hash, certification_code, reference, balance_cents, created_at) "
        "SELECT DISTINCT %s, d.nir_hash, '', '', 0, %s FROM rights_declaration d WHERE d.year = %s "
        "AND NOT EXISTS (SELECT 1 FROM rights_account a WHERE a.kind = %s AND a.nir_hash = d.nir_hash) "
        "ON CONFLICT DO NOTHING",
        [AccountKind.RIGHTS.value, now, year, AccountKind.RIGHTS.value],
    )
    no_hours_divisor = int(p["reference_annual_hours"]) * int(p["smic_hourly_cents"])
    _exec("DROP TABLE IF EXISTS rights_credit_target")
    _exec("DROP TABLE IF EXISTS rights_credit_diff")
    _exec(
        "CREATE TEMPORARY TABLE rights_credit_target AS "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
        "SELECT a.id AS account_id, t.share_ppm AS share_ppm, t.boosted AS boosted "
        "FROM (SELECT nir_hash, "
        "  CAST(SUM(CASE WHEN worked_hours_x100 IS NOT NULL AND reference_hours_x100 > 0 "
        f"   THEN worked_hours_x100 * {PPM} / reference_hours_x100 "
        f"   WHEN gross_pay_cents IS NOT NULL THEN gross_pay_cents * {PPM} / {no_hours_divisor} ELSE 0 END) AS BIGINT) AS share_ppm, "
        "  MAX(CASE WHEN low_qualification OR disabled_worker THEN 1 ELSE 0 END) AS boosted "
        "  FROM rights_declaration WHERE year = %s GROUP BY nir_hash) t "
        "JOIN rights_account a ON a.kind = %s AND a.nir_hash = t.nir_hash",
        [year, AccountKind.RIGHTS.value],
    )
    _exec("CREATE INDEX rights_credit_target_idx ON rights_credit_target (account_id)")
    _exec("CREATE TEMPORARY TABLE rights_credit_diff (account_id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)")
    if connection.vendor == "postgresql":
        _exec("ANALYZE rights_credit_target")


def _diff_sql(year: int, p: dict[str, int], lo: int, hi: int) -> str:
    return "INSERT INTO rights_credit_diff (account_id, amount) " + _diff_select(year, p, lo, hi)


def _diff_select(year: int, p: dict[str, int], lo: int, hi: int) -> str:
    amt, amt_b = int(p["yearly_credit_cents"]), int(p["yearly_credit_low_qualification_cents"])
    cap, cap_b = int(p["yearly_cap_cents"]), int(p["yearly_cap_low_qualification_cents"])
    threshold = int(p["half_time_threshold_bp"]) * 100
    amount = f"(CASE WHEN t.boosted = 1 THEN {amt_b} ELSE {amt} END)"
    cap_expr = f"(CASE WHEN t.boosted = 1 THEN {cap_b} ELSE {cap} END)"
    room = f"({cap_expr} - a.balance_cents + COALESCE(c.credited, 0))"
    return (
        "SELECT account_id, diff AS amount FROM ("  # noqa: S608 - integers and constants only  # nosec B608
        " SELECT account_id, CASE WHEN want - credited < -balance THEN -balance ELSE want - credited END AS diff FROM ("
        "  SELECT t.account_id AS account_id, a.balance_cents AS balance, COALESCE(c.credited, 0) AS credited, "
        f"  CASE WHEN (CASE WHEN t.share_ppm >= {threshold} THEN {amount} ELSE {amount} * t.share_ppm / {PPM} END)"
        f"   < (CASE WHEN {room} > 0 THEN {room} ELSE 0 END) "
        f"   THEN (CASE WHEN t.share_ppm >= {threshold} THEN {amount} ELSE {amount} * t.share_ppm / {PPM} END) "
        f"   ELSE (CASE WHEN {room} > 0 THEN {room} ELSE 0 END) END AS want "
        "  FROM rights_credit_target t JOIN rights_account a ON a.id = t.account_id "
        "  LEFT JOIN (SELECT e.account_id AS account_id, CAST(SUM(e.amount_cents) AS BIGINT) AS credited FROM rights_entry e "
        "    JOIN rights_ledgertransaction x ON x.id = e.transaction_id "
        f"   WHERE x.kind = '{TransactionKind.CREDIT_YEAR.value}' AND x.year = {int(year)} "
        f"   AND e.account_id BETWEEN {int(lo)} AND {int(hi)} GROUP BY e.account_id) c ON c.account_id = t.account_id "
        f"  WHERE t.account_id BETWEEN {int(lo)} AND {int(hi)} AND a.id BETWEEN {int(lo)} AND {int(hi)}"
        " ) s1"
        ") s2 WHERE diff <> 0"
    )


def _post_chunk_one_statement(
    run: CreditYearRun, year: int, p: dict[str, int], lo: int, hi: int, operator_id: int
) -> tuple[int, int]:
    """PostgreSQL: differences, transaction row, balances and entries of a chunk in one statement."""
    now = connection.ops.adapt_datetimefield_value(clock.now())
    sql = (
        f"WITH d AS MATERIALIZED ({_diff_select(year, p, lo, hi)}), "  # noqa: S608 - integers and constants only  # nosec B608
        "t AS (INSERT INTO rights_ledgertransaction (idempotency_key, kind, year, reference, label, posted_at, "
        "  amount_cents) SELECT %s, %s, %s, %s, %s, %s, (SELECT COALESCE(SUM(amount), 0) FROM d WHERE amount > 0) "
        "  WHERE EXISTS (SELECT 1 FROM d) RETURNING id), "
        "u AS (UPDATE rights_account SET balance_cents = rights_account.balance_cents + d.amount FROM d "
        f"  WHERE rights_account.id = d.account_id AND rights_account.id BETWEEN {int(lo)} AND {int(hi)} "
        "  RETURNING rights_account.id AS account_id, d.amount AS amount), "
        "e AS (INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
        "  SELECT t.id, u.account_id, u.amount FROM t, u "
        "  UNION ALL SELECT t.id, %s, -(SELECT SUM(amount) FROM d) FROM t RETURNING 1) "
        "SELECT (SELECT COUNT(*) FROM d), (SELECT COALESCE(SUM(amount), 0) FROM d), (SELECT COUNT(*) FROM u), "
        "(SELECT COUNT(*) FROM e)"
    )
    key = f"credit_year:{year}:{run.chunks_posted + 1}"
    label = f"Alimentation au titre de {year}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, TransactionKind.CREDIT_YEAR.value, year, f"{lo}-{hi}", label, now, operator_id])
        count, total, updated, inserted = cursor.fetchone()
    if not count:
        return 0, 0
    if updated != count or inserted != count + 1:
        raise RuntimeError("credit_year: chunk posted partially")  # rolls the chunk back
    run.chunks_posted += 1
    run.last_run_at = clock.now()
    run.save(update_fields=["chunks_posted", "last_run_at"])
    return int(count), int(total)


def _post_chunk(year: int, p: dict[str, int], lo: int, hi: int, operator_id: int) -> tuple[int, int]:
    with transaction.atomic():
        run = CreditYearRun.objects.select_for_update().get(year=year)
        if connection.vendor == "postgresql":
            return _post_chunk_one_statement(run, year, p, lo, hi, operator_id)
        _exec("DELETE FROM rights_credit_diff")
        count = _exec(_diff_sql(year, p, lo, hi))
        if not count:
            return 0, 0
        total = _scalar("SELECT SUM(amount) FROM rights_credit_diff") or 0
        run.chunks_posted += 1
        run.last_run_at = clock.now()
        txn = LedgerTransaction.objects.create(
            idempotency_key=f"credit_year:{year}:{run.chunks_posted}",
            kind=TransactionKind.CREDIT_YEAR,
            year=year,
            reference=f"{lo}-{hi}",
            label=f"Alimentation au titre de {year}",
            posted_at=clock.now(),
            amount_cents=_scalar("SELECT COALESCE(SUM(amount), 0) FROM rights_credit_diff WHERE amount > 0") or 0,
        )
        _exec(
            "INSERT INTO rights_entry (transaction_id, account_id, amount_cents) "
            "SELECT %s, account_id, amount FROM rights_credit_diff",
            [txn.pk],
        )
        _exec(
            "INSERT INTO rights_entry (transaction_id, account_id, amount_cents) VALUES (%s, %s, %s)",
            [txn.pk, operator_id, -total],
        )
        _exec(
            "UPDATE rights_account SET balance_cents = rights_account.balance_cents + d.amount "  # noqa: S608 - integers and constants only, values are parameters  # nosec B608
            f"FROM rights_credit_diff d WHERE rights_account.id = d.account_id AND rights_account.id BETWEEN {int(lo)} AND {int(hi)}"
        )
        run.save(update_fields=["chunks_posted", "last_run_at"])
        return count, total


def credit_year(
    *,
    year: int,
    chunk_size: int = 50_000,
    throttle_seconds: float = 0.0,
    progress: Callable[[int, int, int], None] | None = None,
) -> CreditResult:
    """Credit (or correct) every declared holder's rights for `year`. Safe to re-run and to run twice at once."""
    started = time.perf_counter()
    p = parameters_for(year)
    CreditYearRun.objects.get_or_create(year=year)
    operator = platform_account(AccountKind.OPERATOR_FUNDING, "yearly_credit")
    result = CreditResult()
    if connection.vendor == "postgresql":
        _exec("SET work_mem = '256MB'")  # the per-holder aggregation sorts or hashes every declaration of the year
    try:
        _prepare(year, p)
        result.holders = _scalar("SELECT COUNT(*) FROM rights_credit_target") or 0
        lo_all = _scalar("SELECT MIN(account_id) FROM rights_credit_target")
        hi_all = _scalar("SELECT MAX(account_id) FROM rights_credit_target")
        if lo_all is not None and hi_all is not None:
            for lo in range(lo_all, hi_all + 1, chunk_size):
                hi = min(lo + chunk_size - 1, hi_all)
                count, total = _post_chunk(year, p, lo, hi, operator.pk)
                result.chunks += 1
                result.credited_accounts += count
                result.total_cents += total
                if progress:
                    progress(hi - lo_all + 1, hi_all - lo_all + 1, count)
                if throttle_seconds:
                    time.sleep(throttle_seconds)
    finally:
        _exec("DROP TABLE IF EXISTS rights_credit_target")
        _exec("DROP TABLE IF EXISTS rights_credit_diff")
        if connection.vendor == "postgresql":
            _exec("RESET work_mem")
    result.seconds = time.perf_counter() - started
    return result
