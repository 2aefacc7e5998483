"""Dossier fixtures for disputes and the back-office console (shared with the enrolment tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from tests.enrolment.conftest import (  # noqa: F401 (fixtures)
    agent,
    agent_without_perm,
    buyer,
    clock_monday,
    other_staff,
    provider,
    session,
    staff,
)


def make_role_agent(role: str, email: str):  # type: ignore[no-untyped-def]
    user = staff_user_create(email=email, password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def in_training(buyer, staff, session):  # type: ignore[no-untyped-def]  # noqa: F811
    """A dossier accepted (1 000 € of rights reserved, 500 € by card) and entered into training (captured)."""
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    clock.freeze(dt.datetime(2026, 4, 15, 9, 0))
    return services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)


@pytest.fixture
def accepted_dossier(buyer, staff, session):  # type: ignore[no-untyped-def]  # noqa: F811
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    return services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
