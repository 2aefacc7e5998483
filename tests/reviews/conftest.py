"""Ratings reuse the enrolment fixtures (a referenced provider, staff, a session, a holder with rights, agents)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from tests.enrolment.conftest import (  # noqa: F401
    MONDAY,
    agent,
    agent_without_perm,
    buyer,
    clock_monday,
    other_staff,
    provider,
    session,
    staff,
)

SCORES = {"accompagnement": 5, "moyens": 4, "encadrants": 5, "accueil": 3, "contenu": 4}


def exited(holder, provider_user, on_session, *, rate: int = 10_000, reason: str = "") -> Dossier:  # type: ignore[no-untyped-def]
    """A dossier of `holder` whose exit the provider has declared at the session's end (clock left there)."""
    clock.freeze(MONDAY)
    dossier = services.dossier_request(actor=holder.user, session_id=on_session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=provider_user)
    services.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)
    clock.freeze(dt.datetime.combine(on_session.start_date, dt.time(9)))
    services.dossier_declare_entry(dossier_id=dossier.pk, actor=provider_user)
    clock.freeze(dt.datetime.combine(on_session.end_date, dt.time(17)))
    return services.dossier_declare_exit(
        dossier_id=dossier.pk,
        actor=provider_user,
        exit_date=on_session.end_date,
        completion_rate_bp=rate,
        reason=reason,
    )


@pytest.fixture
def controller(db):
    """A controller: no moderation permission."""
    user = staff_user_create(email="controle@example.org", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="controller"))
    return type(user).objects.get(pk=user.pk)
