"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection

from opencpf.core import clock
from tests.identity.nir_guard import pytest_sessionfinish, pytest_sessionstart  # noqa: F401 (clear-NIR log guard)

DEMO_PASSWORD = "MotDePasse-Demo-2026"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login_agent(client, user, backend: str | None = None):  # type: ignore[no-untyped-def]
    """Log an agent in as after the password AND the second factor: `force_login`, then the session flag that the
    second-factor page sets (`identity.second_factor.mark_passed`). Any other user is only force-logged in.
    Tests of the factor itself use `client.force_login` alone (a password-only session)."""
    from opencpf.identity.models import UserKind

    client.force_login(user, backend=backend)
    if getattr(user, "kind", None) == UserKind.AGENT:
        pass_agent_factor(client, user)
    return client


def pass_agent_factor(client, user) -> None:  # type: ignore[no-untyped-def]
    """For a client already signed in with the agent's password: the second factor's session flag."""
    from opencpf.identity import second_factor

    session = client.session
    second_factor.mark_passed(session, user, method=second_factor.METHOD_TOTP)
    session.save()


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _is_transactional(item) -> bool:  # type: ignore[no-untyped-def]
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Tests marked `postgres` run only when DATABASE_URL points at PostgreSQL (as in CI's second pass)."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _reseed_reference_data() -> None:
    """Run every data migration's `seed(apps, schema_editor)` function again, in migration order."""
    from django.apps import apps as global_apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(None, ignore_no_migrations=True)
    done: set = set()
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            if key in done or key not in loader.disk_migrations:
                continue
            done.add(key)
            for op in loader.disk_migrations[key].operations:
                if isinstance(op, RunPython) and getattr(op.code, "__name__", "") == "seed":
                    op.code(global_apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):  # type: ignore[no-untyped-def]
    """Transactional tests flush every table, including the rows data migrations seed (dated parameters,
    agents' groups). Put them back so that every test sees a migrated database. Data migrations that seed
    reference rows name their forward function `seed` and make it idempotent."""
    if _is_transactional(request.node):
        request.getfixturevalue("_django_db_helper")
        from opencpf.core.models import Parameter

        if not Parameter.objects.exists():
            _reseed_reference_data()
    yield


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
