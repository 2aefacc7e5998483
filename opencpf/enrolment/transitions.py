"""The one declared table of the dossier's transitions: (from, event) -> to, and who may trigger it.

Guards that depend on dates or money (deadlines, start date, strong session) live in services.py;
this table only says which moves exist and for whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opencpf.enrolment.enums import DossierState as S
from opencpf.enrolment.enums import Event as E
from opencpf.enrolment.enums import Who as W


@dataclass(frozen=True)
class Transition:
    source: str  # "" for the creation
    event: str
    target: str
    who: frozenset[str]


def _t(source: str, event: str, target: str, *who: str) -> Transition:
    return Transition(source, event, target, frozenset(who))


TRANSITIONS: tuple[Transition, ...] = (
    _t("", E.REQUEST, S.NOT_PROCESSED, W.HOLDER),
    _t(S.NOT_PROCESSED, E.WITHDRAW, S.REFUSED_BY_ATTENDEE, W.HOLDER),
    _t(S.NOT_PROCESSED, E.PROPOSE, S.VALIDATED, W.PROVIDER),
    _t(S.NOT_PROCESSED, E.REFUSE, S.REFUSED_BY_ORGANISM, W.PROVIDER),
    _t(S.NOT_PROCESSED, E.EXPIRE_ANSWER, S.CANCELED_BY_ORGANISM, W.SYSTEM),
    _t(S.NOT_PROCESSED, E.AGENT_CANCEL, S.CANCELED_BY_ORGANISM, W.AGENT),
    _t(S.VALIDATED, E.ACCEPT, S.ACCEPTED, W.HOLDER),
    _t(S.VALIDATED, E.DECLINE, S.REFUSED_BY_ATTENDEE, W.HOLDER),
    _t(S.VALIDATED, E.EXPIRE_ACCEPTANCE, S.REJECTED_WITHOUT_TITULAIRE_SUITE, W.SYSTEM),
    _t(S.VALIDATED, E.PROVIDER_CANCEL, S.CANCELED_BY_ORGANISM, W.PROVIDER),
    _t(S.VALIDATED, E.AGENT_CANCEL, S.CANCELED_BY_ORGANISM, W.AGENT),
    _t(S.ACCEPTED, E.HOLDER_CANCEL, S.CANCELED_BY_ATTENDEE, W.HOLDER),
    _t(S.ACCEPTED, E.PROVIDER_CANCEL, S.CANCELED_BY_ORGANISM, W.PROVIDER),
    _t(S.ACCEPTED, E.AGENT_CANCEL, S.CANCELED_BY_ORGANISM, W.AGENT),
    _t(S.ACCEPTED, E.DECLARE_ENTRY, S.IN_TRAINING, W.PROVIDER),
    _t(S.ACCEPTED, E.FLAG_MISSING_ENTRY, S.ACCEPTED, W.SYSTEM),
    # Exit = the service-done declaration (exit date, attendance, reason); `terminated` is not used: the
    # declaration carries the completion, so the dossier goes straight to serviceDoneDeclared.
    _t(S.IN_TRAINING, E.DECLARE_EXIT, S.SERVICE_DONE_DECLARED, W.PROVIDER),
    _t(S.IN_TRAINING, E.FLAG_MISSING_EXIT, S.IN_TRAINING, W.SYSTEM),
    # Service done is validated by the holder's rating, by the system after 5 business days, or by an agent;
    # never while a control is open on the dossier (guard in services.py).
    _t(S.SERVICE_DONE_DECLARED, E.HOLDER_CONFIRM, S.SERVICE_DONE_VALIDATED, W.HOLDER),
    _t(S.SERVICE_DONE_DECLARED, E.AUTO_VALIDATE, S.SERVICE_DONE_VALIDATED, W.SYSTEM),
    _t(S.SERVICE_DONE_DECLARED, E.AGENT_VALIDATE, S.SERVICE_DONE_VALIDATED, W.AGENT),
)

_INDEX: dict[tuple[str, str], Transition] = {(t.source, t.event): t for t in TRANSITIONS}


def find(state: str, event: str) -> Transition | None:
    return _INDEX.get((state, event))


def can(event: str, dossier: Any, who: str) -> bool:
    """True when the table has a move for `event` from the dossier's state that `who` may trigger."""
    transition = find(dossier.state, event)
    return transition is not None and who in transition.who


def available_events(dossier: Any, who: str) -> list[str]:
    return [t.event for t in TRANSITIONS if t.source == dossier.state and who in t.who]


def can_withdraw(dossier: Any, who: str = W.HOLDER) -> bool:
    return can(E.WITHDRAW, dossier, who)


def can_propose(dossier: Any, who: str = W.PROVIDER) -> bool:
    return can(E.PROPOSE, dossier, who)


def can_refuse(dossier: Any, who: str = W.PROVIDER) -> bool:
    return can(E.REFUSE, dossier, who)


def can_expire_answer(dossier: Any, who: str = W.SYSTEM) -> bool:
    return can(E.EXPIRE_ANSWER, dossier, who)


def can_accept(dossier: Any, who: str = W.HOLDER) -> bool:
    return can(E.ACCEPT, dossier, who)


def can_decline(dossier: Any, who: str = W.HOLDER) -> bool:
    return can(E.DECLINE, dossier, who)


def can_expire_acceptance(dossier: Any, who: str = W.SYSTEM) -> bool:
    return can(E.EXPIRE_ACCEPTANCE, dossier, who)


def can_holder_cancel(dossier: Any, who: str = W.HOLDER) -> bool:
    return can(E.HOLDER_CANCEL, dossier, who)


def can_provider_cancel(dossier: Any, who: str = W.PROVIDER) -> bool:
    return can(E.PROVIDER_CANCEL, dossier, who)


def can_agent_cancel(dossier: Any, who: str = W.AGENT) -> bool:
    return can(E.AGENT_CANCEL, dossier, who)


def can_declare_entry(dossier: Any, who: str = W.PROVIDER) -> bool:
    return can(E.DECLARE_ENTRY, dossier, who)


def can_flag_missing_entry(dossier: Any, who: str = W.SYSTEM) -> bool:
    return can(E.FLAG_MISSING_ENTRY, dossier, who)


def can_declare_exit(dossier: Any, who: str = W.PROVIDER) -> bool:
    return can(E.DECLARE_EXIT, dossier, who)


def can_flag_missing_exit(dossier: Any, who: str = W.SYSTEM) -> bool:
    return can(E.FLAG_MISSING_EXIT, dossier, who)


def can_holder_confirm(dossier: Any, who: str = W.HOLDER) -> bool:
    return can(E.HOLDER_CONFIRM, dossier, who)


def can_auto_validate(dossier: Any, who: str = W.SYSTEM) -> bool:
    return can(E.AUTO_VALIDATE, dossier, who)


def can_agent_validate(dossier: Any, who: str = W.AGENT) -> bool:
    return can(E.AGENT_VALIDATE, dossier, who)
