"""Every (state, event, actor): the table's moves succeed for the actors it names; everything else is refused
with a domain error and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.enrolment import services, transitions
from opencpf.enrolment.enums import DossierState as S
from opencpf.enrolment.enums import Event as E
from opencpf.enrolment.exceptions import ActorNotAllowed, TransitionRefused
from opencpf.enrolment.models import Dossier
from opencpf.rights.models import Entry

pytestmark = pytest.mark.django_db

START = dt.date(2026, 4, 15)
MONDAY = dt.datetime(2026, 3, 2, 10, 0)

# How to reach each state from a fresh request (holder `buyer`, provider `staff`).
PATHS: dict[str, list[str]] = {
    S.NOT_PROCESSED: [],
    S.VALIDATED: [E.PROPOSE],
    S.ACCEPTED: [E.PROPOSE, E.ACCEPT],
    S.IN_TRAINING: [E.PROPOSE, E.ACCEPT, E.DECLARE_ENTRY],
    S.SERVICE_DONE_DECLARED: [E.PROPOSE, E.ACCEPT, E.DECLARE_ENTRY, E.DECLARE_EXIT],
    S.SERVICE_DONE_VALIDATED: [E.PROPOSE, E.ACCEPT, E.DECLARE_ENTRY, E.DECLARE_EXIT, E.HOLDER_CONFIRM],
    S.REFUSED_BY_ORGANISM: [E.REFUSE],
    S.REFUSED_BY_ATTENDEE: [E.WITHDRAW],
    S.CANCELED_BY_ATTENDEE: [E.PROPOSE, E.ACCEPT, E.HOLDER_CANCEL],
    S.CANCELED_BY_ORGANISM: [E.PROPOSE, E.PROVIDER_CANCEL],
    S.REJECTED_WITHOUT_TITULAIRE_SUITE: [E.PROPOSE, E.EXPIRE_ACCEPTANCE],
}
SYSTEM_EVENTS = {E.EXPIRE_ANSWER, E.EXPIRE_ACCEPTANCE, E.FLAG_MISSING_ENTRY, E.FLAG_MISSING_EXIT, E.AUTO_VALIDATE}
EVENTS = [e for e in E.values if e != E.REQUEST]
ACTORS = ["holder", "provider", "agent", "system", "other_holder", "other_provider"]


def act(event: str, dossier: Dossier, actor: Any) -> Any:
    pk = dossier.pk
    if event == E.DECLARE_ENTRY:
        clock.freeze(dt.datetime.combine(dossier.start_date, dt.time(9)))
    if event == E.DECLARE_EXIT:
        clock.freeze(dt.datetime.combine(dossier.end_date, dt.time(17)))
    if event in SYSTEM_EVENTS:
        if actor is None and transitions.can(event, dossier, "system"):
            lapse = (dossier.deadline_on or clock.today()) + dt.timedelta(days=1)
            applied = services.dossier_apply_deadline(dossier_id=pk, on=lapse)
            if applied != event:
                raise TransitionRefused()
            return applied
        return services._transition(pk, event, actor)
    calls: dict[str, Callable[[], Any]] = {
        E.WITHDRAW: lambda: services.dossier_withdraw(dossier_id=pk, actor=actor),
        E.PROPOSE: lambda: services.dossier_propose(dossier_id=pk, actor=actor),
        E.REFUSE: lambda: services.dossier_refuse(dossier_id=pk, actor=actor, reason="Complet"),
        E.ACCEPT: lambda: services.dossier_accept(dossier_id=pk, actor=actor, strong_session=True),
        E.DECLINE: lambda: services.dossier_decline(dossier_id=pk, actor=actor),
        E.HOLDER_CANCEL: lambda: services.dossier_holder_cancel(dossier_id=pk, actor=actor),
        E.PROVIDER_CANCEL: lambda: services.dossier_provider_cancel(dossier_id=pk, actor=actor, reason="Annulée"),
        E.AGENT_CANCEL: lambda: services.dossier_agent_cancel(dossier_id=pk, actor=actor, reason="Contrôle"),
        E.DECLARE_ENTRY: lambda: services.dossier_declare_entry(dossier_id=pk, actor=actor),
        E.DECLARE_EXIT: lambda: services.dossier_declare_exit(
            dossier_id=pk, actor=actor, exit_date=dossier.end_date, completion_rate_bp=10_000
        ),
        E.HOLDER_CONFIRM: lambda: services.dossier_confirm_service_done(dossier_id=pk, actor=actor),
        E.AGENT_VALIDATE: lambda: services.dossier_agent_validate(dossier_id=pk, actor=actor),
    }
    if actor is None:  # user-facing services are never called by the system
        return services._transition(pk, event, None)
    return calls[event]()


@pytest.fixture
def world(buyer, other_holder, staff, other_staff, agent, session):
    return {
        "holder": buyer.user,
        "provider": staff,
        "agent": agent,
        "system": None,
        "other_holder": other_holder.user,
        "other_provider": other_staff,
        "session": session,
    }


def reach(world: dict, state: str) -> Dossier:
    clock.freeze(MONDAY)
    dossier = services.dossier_request(actor=world["holder"], session_id=world["session"].pk)
    for event in PATHS[state]:
        who = next(t for t in transitions.TRANSITIONS if t.source == dossier.state and t.event == event).who
        role = sorted(who)[0]
        act(event, dossier, world[role] if role != "system" else None)
        dossier.refresh_from_db()
    clock.freeze(MONDAY + dt.timedelta(days=1))
    assert dossier.state == state
    return dossier


def frozen(dossier: Dossier) -> tuple:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (fresh.snapshot(), fresh.version, fresh.transitions.count(), Entry.objects.count())


@pytest.mark.parametrize("state", list(PATHS))
def test_every_move_from_state(world, state):
    dossier = reach(world, state)
    allowed: list[tuple[str, str]] = []
    for event in EVENTS:
        move = transitions.find(state, event)
        for role in ACTORS:
            if move is not None and role in move.who:
                allowed.append((event, role))
                continue
            before = frozen(dossier)
            try:
                act(event, dossier, world[role])
            except DomainError as refused:
                assert isinstance(refused, TransitionRefused | ActorNotAllowed), (event, role, refused)
            else:  # only a replay of the move that led here is accepted, as a no-op (double click)
                last = dossier.transitions.order_by("-id").first()
                assert last is not None and last.event == event and last.actor == world[role], (event, role)
            assert frozen(dossier) == before, (event, role)
    expected = {(t.event, r) for t in transitions.TRANSITIONS if t.source == state for r in t.who}
    assert set(allowed) == expected
    for event, role in allowed:
        fresh = reach(world, state)
        act(event, fresh, world[role])
        fresh.refresh_from_db()
        assert fresh.state == transitions.find(state, event).target  # type: ignore[union-attr]
        last = fresh.transitions.order_by("-id").first()
        assert last is not None and (last.event, last.who, last.from_state) == (event, role, state)
        assert last.actor_id == (world[role].pk if world[role] is not None else None)


def test_can_checks_follow_the_table():
    from types import SimpleNamespace

    validated = SimpleNamespace(state=S.VALIDATED)
    assert transitions.can_accept(validated) and transitions.can_decline(validated)
    assert transitions.can_provider_cancel(validated) and transitions.can_agent_cancel(validated)
    assert transitions.can_expire_acceptance(validated)
    assert not transitions.can_accept(validated, "provider")
    assert not transitions.can_propose(validated) and not transitions.can_declare_entry(validated)
    accepted = SimpleNamespace(state=S.ACCEPTED)
    assert transitions.can_holder_cancel(accepted) and transitions.can_declare_entry(accepted)
    assert transitions.can_flag_missing_entry(accepted) and not transitions.can_withdraw(accepted)
    fresh = SimpleNamespace(state=S.NOT_PROCESSED)
    assert transitions.can_propose(fresh) and transitions.can_refuse(fresh) and transitions.can_withdraw(fresh)
    assert transitions.can_expire_answer(fresh) and not transitions.can_expire_answer(fresh, "holder")
    assert transitions.available_events(SimpleNamespace(state=S.IN_TRAINING), "holder") == []
    training = SimpleNamespace(state=S.IN_TRAINING)
    assert transitions.can_declare_exit(training) and transitions.can_flag_missing_exit(training)
    assert not transitions.can_declare_exit(training, "holder") and not transitions.can_holder_confirm(training)
    declared = SimpleNamespace(state=S.SERVICE_DONE_DECLARED)
    assert transitions.can_holder_confirm(declared) and transitions.can_auto_validate(declared)
    assert transitions.can_agent_validate(declared) and not transitions.can_agent_validate(declared, "provider")
    assert transitions.available_events(SimpleNamespace(state=S.SERVICE_DONE_VALIDATED), "agent") == []
