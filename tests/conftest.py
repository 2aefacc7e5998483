"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection

from opencpf.core import clock
from tests.identity.nir_guard import pytest_sessionfinish, pytest_sessionstart  # noqa: F401 (clear-NIR log guard)

DEMO_PASSWORD = "MotDePasse-Demo-2026"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Tests marked `postgres` run only when DATABASE_URL points at PostgreSQL (as in CI's second pass)."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.unfreeze()


@pytest.fixture
def frozen_clock() -> Iterator[type]:
    """Freeze the clock at 2026-03-02 10:00 (a Monday); tests move it with clock.freeze/clock.move."""
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    yield clock
    clock.unfreeze()


@pytest.fixture
def holder(db):  # type: ignore[no-untyped-def]
    from opencpf.identity.services import holder_create

    return holder_create(
        nir="1 85 05 78 006 084 91",
        birth_name="Martin",
        first_names="Paul",
        birth_date=dt.date(1985, 5, 14),
        sex="M",
        email="paul.martin@example.org",
        password=DEMO_PASSWORD,
    )


@pytest.fixture
def other_holder(db):  # type: ignore[no-untyped-def]
    from opencpf.identity.services import holder_create

    return holder_create(
        nir="2 90 12 69 123 456 52",
        birth_name="Durand",
        first_names="Julie",
        birth_date=dt.date(1990, 12, 3),
        sex="F",
        email="julie.durand@example.org",
        password=DEMO_PASSWORD,
    )
