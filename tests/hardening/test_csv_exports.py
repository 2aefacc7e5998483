"""CSV injection: text that a spreadsheet would run as a formula is neutralised in every CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from opencpf.catalogue.opendata import write_open_data
from opencpf.core.csvsafe import neutralise
from opencpf.enrolment import services
from tests.enrolment.conftest import make_session

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil.example","Cliquez")', "+33 cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formulas_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "+33 6 12 34 56 78", "-1 234,50", "Anglais", "", 42, None])
def test_plain_values_are_kept(value: Any) -> None:
    assert neutralise(value) == value


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";") for cell in row]


def _no_formula(cells: list[str]) -> None:
    risky = [c for c in cells if c.startswith(("=", "+", "-", "@")) and not re.fullmatch(r"[+-]?[\d\s.,]+", c)]
    assert not risky, risky


@pytest.mark.django_db
def test_provider_dossiers_export(holder: Any, frozen_clock: Any) -> None:
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import staff_user_create
    from tests.enrolment.conftest import make_provider

    provider = make_provider("73282932000074")
    staff = staff_user_create(email="of@example.org", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=staff, provider=provider)
    session = make_session(provider, start=frozen_clock.today().replace(month=4, day=15))
    session.offer.training.title = HOSTILE[0]
    session.offer.training.save(update_fields=["title"])
    holder.first_names, holder.birth_name = HOSTILE[3], HOSTILE[1]
    holder.save(update_fields=["first_names", "birth_name"])
    services.dossier_request(actor=holder.user, session_id=session.pk)
    client = Client()
    client.force_login(staff)
    response = client.get("/organisme/dossiers/", {"format": "csv"})
    cells = _cells(b"".join(response.streaming_content).decode())
    assert "'" + HOSTILE[0] in cells
    _no_formula(cells)


@pytest.mark.django_db
def test_open_data_export(frozen_clock: Any) -> None:
    from opencpf.catalogue.models import Session, Training
    from opencpf.catalogue.services import session_create
    from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

    provider = make_provider()
    provider.name = HOSTILE[2]
    provider.save(update_fields=["name"])
    cert = make_certification()
    permit(provider, cert)
    offer = make_offer(provider, cert)
    session_create(
        offer=offer,
        actor=None,
        source="test",
        reference="S1",
        start_date=dt_in(frozen_clock, 30),
        end_date=dt_in(frozen_clock, 35),
    )
    Training.objects.update(title=HOSTILE[0], objectives=HOSTILE[3])
    assert Session.objects.exists()
    out = io.StringIO()
    assert write_open_data(out) == 1
    cells = _cells(out.getvalue())
    assert "'" + HOSTILE[0] in cells
    _no_formula(cells)


def dt_in(clock: Any, days: int) -> Any:
    import datetime as dt

    return clock.today() + dt.timedelta(days=days)


def test_every_csv_export_goes_through_the_safe_writer() -> None:
    offenders = []
    for path in (ROOT / "opencpf").rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"use opencpf.core.csvsafe.writer for CSV written for people: {offenders}"
