from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencpf.rights.crediting import (
    credit_year,
    declaration_share_ppm,
    parameters_for,
    yearly_credit_cents,
    yearly_target_cents,
)
from opencpf.rights.declarations import FIELDS, declarations_import
from opencpf.rights.enums import AccountKind
from opencpf.rights.models import Account, Declaration, Entry, LedgerTransaction
from opencpf.rights.selectors import ledger_verify
from tests.rights.helpers import NIR_A, NIR_B, SIRET_A, SIRET_B, h, make_nir

pytestmark = pytest.mark.django_db


def row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {f: "" for f in FIELDS}
    base.update(
        declaration_id="DSN-1",
        employer_siret=SIRET_A,
        nir=NIR_A,
        year=2025,
        paid_hours="1607",
        reference_hours="1607",
        part_time_rate="100",
        low_qualification="0",
        disabled_worker="0",
    )
    base.update(kw)
    return base


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rights_balance(nir: str) -> int:
    account = Account.objects.filter(kind=AccountKind.RIGHTS, nir_hash=h(nir)).first()
    return account.balance_cents if account else 0


def test_import_reimport_and_correction(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    f = write_csv(tmp_path / "d.csv", [row(), row(declaration_id="DSN-2", nir=NIR_B, employer_siret=SIRET_B)])
    call_command("import_declarations", str(f))
    assert Declaration.objects.count() == 2
    first = list(Declaration.objects.order_by("pk").values())
    call_command("import_declarations", str(f))
    assert list(Declaration.objects.order_by("pk").values()) == first
    f2 = write_csv(tmp_path / "c.csv", [row(declaration_id="DSN-1b", paid_hours="700")])
    result = declarations_import(path=f2)
    assert (result.created, result.corrected, result.unchanged) == (0, 1, 0)
    d = Declaration.objects.get(nir_hash=h(NIR_A))
    assert (d.paid_hours_x100, d.revision, d.declaration_id) == (70_000, 2, "DSN-1b")
    assert not Declaration.objects.filter(nir_hash=NIR_A.replace(" ", "")).exists()


def test_bad_lines_reported_default_and_strict(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    rows = [
        row(),
        row(nir="1 85 05 78 006 084 92"),
        row(employer_siret="73282932000075"),
        row(paid_hours="9000"),
        row(absences="99:2025-01-01:2025-01-10:50"),
        row(declaration_id="DSN-9", nir=NIR_B),
    ]
    f = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError):
        call_command("import_declarations", str(f), "--strict")
    assert Declaration.objects.count() == 0
    call_command("import_declarations", str(f))
    assert Declaration.objects.count() == 2
    report = (tmp_path / "bad.csv.rejets.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "ligne;motif"
    lines = [r.split(";", 1) for r in report[1:]]
    assert [n for n, _ in lines] == ["3", "4", "5", "6"]
    assert "NIR invalide" in lines[0][1] and "SIRET" in lines[1][1]
    assert "hors limites" in lines[2][1] and "code d'absence inconnu" in lines[3][1]
    assert "0608491" not in "\n".join(report)


def test_json_and_absences_count_as_worked(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    items = [
        {
            "declaration_id": "J1",
            "employer_siret": SIRET_A,
            "nir": NIR_A,
            "year": 2025,
            "paid_hours": 600,
            "reference_hours": 1607,
            "absences": [{"code": "02", "start": "2025-03-01", "end": "2025-06-30", "hours": 300}],
        },
        {"declaration_id": "J2", "employer_siret": SIRET_A, "nir": NIR_B, "year": 2025, "gross_pay": "5000,00"},
    ]
    f = tmp_path / "d.json"
    f.write_text(json.dumps(items), encoding="utf-8")
    result = declarations_import(path=f)
    assert result.created == 2 and not result.rejected
    assert Declaration.objects.get(nir_hash=h(NIR_A)).worked_hours_x100 == 90_000


def test_credit_year_rules(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    rows = [
        # two part-time employers adding up above half time: full 500 €
        row(declaration_id="a1", paid_hours="500"),
        row(declaration_id="a2", employer_siret=SIRET_B, paid_hours="400"),
        # below half time, low qualification: 800 € pro rata
        row(declaration_id="b1", nir=NIR_B, paid_hours="321.4", low_qualification="oui"),
        # paid without hours
        row(
            declaration_id="c1",
            nir=make_nir(1),
            paid_hours="",
            reference_hours="",
            part_time_rate="",
            gross_pay="12000",
        ),
    ]
    declarations_import(path=write_csv(tmp_path / "d.csv", rows))
    result = credit_year(year=2025)
    assert result.holders == 3
    assert rights_balance(NIR_A) == 50_000
    assert rights_balance(NIR_B) == 80_000 * (32_140 * 1_000_000 // 160_700) // 1_000_000
    p = parameters_for(2025)
    share = 1_200_000 * 1_000_000 // (2080 * p["smic_hourly_cents"])
    assert rights_balance(make_nir(1)) == 50_000 * share // 1_000_000
    again = credit_year(year=2025)
    assert again.credited_accounts == 0 and rights_balance(NIR_A) == 50_000
    assert ledger_verify() == []


def test_cap_and_correction_posts_difference(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    from tests.rights.helpers import credit_rights

    credit_rights(h(NIR_A), 480_000, "old-years")
    declarations_import(path=write_csv(tmp_path / "d.csv", [row(), row(declaration_id="x", nir=NIR_B)]))
    credit_year(year=2025)
    assert rights_balance(NIR_A) == 500_000  # capped: +200 € only
    assert rights_balance(NIR_B) == 50_000
    # correction: NIR_B worked far less -> pro rata, the difference is debited
    declarations_import(path=write_csv(tmp_path / "c.csv", [row(declaration_id="x2", nir=NIR_B, paid_hours="160.7")]))
    n_txn = LedgerTransaction.objects.count()
    credit_year(year=2025)
    assert rights_balance(NIR_B) == 5_000
    assert LedgerTransaction.objects.count() == n_txn + 1
    assert Entry.objects.filter(account__nir_hash=h(NIR_B), amount_cents=-45_000).count() == 1
    credit_year(year=2025)
    assert LedgerTransaction.objects.count() == n_txn + 1
    assert ledger_verify() == []


P = {
    "yearly_credit_cents": 50_000,
    "yearly_cap_cents": 500_000,
    "yearly_credit_low_qualification_cents": 80_000,
    "yearly_cap_low_qualification_cents": 800_000,
    "reference_annual_hours": 2080,
    "half_time_threshold_bp": 5000,
    "smic_hourly_cents": 1188,
}


@given(
    hours=st.lists(st.integers(0, 300_000), min_size=1, max_size=4),
    boosted=st.booleans(),
    balance=st.integers(0, 900_000),
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_credit_never_exceeds_cap_nor_full_amount(hours: list[int], boosted: bool, balance: int) -> None:
    share = sum(
        declaration_share_ppm(worked_hours_x100=x, reference_hours_x100=160_700, gross_pay_cents=None, p=P)
        for x in hours
    )
    target = yearly_target_cents(share_ppm=share, boosted=boosted, p=P)
    full = P["yearly_credit_low_qualification_cents"] if boosted else P["yearly_credit_cents"]
    cap = P["yearly_cap_low_qualification_cents"] if boosted else P["yearly_cap_cents"]
    assert 0 <= target <= full
    credit = yearly_credit_cents(
        target_cents=target, boosted=boosted, balance_cents=balance, already_credited_cents=0, p=P
    )
    assert credit >= 0
    assert balance + credit <= max(cap, balance)
    # posting the same target again moves nothing
    assert (
        yearly_credit_cents(
            target_cents=target, boosted=boosted, balance_cents=balance + credit, already_credited_cents=credit, p=P
        )
        == 0
    )


def test_sql_matches_python_rule(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    import random

    rnd = random.Random(7)
    rows, expected = [], {}
    p = parameters_for(2025)
    for i in range(40):
        nir = make_nir(100 + i)
        share, boosted = 0, False
        for j in range(rnd.randint(1, 3)):
            paid = rnd.randint(0, 1200)
            low = rnd.random() < 0.2
            boosted = boosted or low
            rows.append(
                row(
                    declaration_id=f"r{i}-{j}",
                    nir=nir,
                    employer_siret=[SIRET_A, SIRET_B, "73282932000074"][j % 2],
                    paid_hours=str(paid),
                    low_qualification="1" if low else "0",
                )
            )
            if j < 2:
                share += declaration_share_ppm(
                    worked_hours_x100=paid * 100, reference_hours_x100=160_700, gross_pay_cents=None, p=p
                )
            else:  # same SIRET as j == 0: a correction replacing its figures
                share -= declaration_share_ppm(
                    worked_hours_x100=int(rows[-3]["paid_hours"]) * 100,
                    reference_hours_x100=160_700,
                    gross_pay_cents=None,
                    p=p,
                )  # type: ignore[call-overload]
                share += declaration_share_ppm(
                    worked_hours_x100=paid * 100, reference_hours_x100=160_700, gross_pay_cents=None, p=p
                )
        expected[nir] = (share, boosted)
    declarations_import(path=write_csv(tmp_path / "d.csv", rows))
    credit_year(year=2025, chunk_size=7)
    for nir, (share, boosted) in expected.items():
        want = yearly_credit_cents(
            target_cents=yearly_target_cents(share_ppm=share, boosted=boosted, p=p),
            boosted=boosted,
            balance_cents=0,
            already_credited_cents=0,
            p=p,
        )
        assert rights_balance(nir) == want, nir
    assert ledger_verify() == []


def test_rights_before_activation_are_found_after(tmp_path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    from opencpf.identity.services import holder_create
    from opencpf.rights.selectors import balances

    declarations_import(path=write_csv(tmp_path / "d.csv", [row()]))
    credit_year(year=2025)
    holder = holder_create(
        nir=NIR_A,
        birth_name="Martin",
        first_names="Paul",
        birth_date=dt.date(1985, 5, 14),
        sex="M",
        email="p@example.org",
        password=None,
    )
    assert balances(nir_hash=holder.nir_hash).rights_cents == 50_000
