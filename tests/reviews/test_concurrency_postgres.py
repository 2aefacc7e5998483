"""On PostgreSQL, real threads: two exit declarations at once post the money once; the holder's rating racing
the automatic validation ends validated once, with one rating and summaries counted once."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.enums import DossierState, Event
from opencpf.enrolment.models import Dossier
from opencpf.reviews.models import OfferRatingSummary, Rating
from opencpf.reviews.services import rating_submit
from opencpf.rights.models import LedgerTransaction
from opencpf.rights.selectors import ledger_verify
from tests.enrolment.test_concurrency_postgres import race
from tests.reviews.conftest import SCORES, exited

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_exit_declarations_at_once_settle_the_money_once(buyer, staff, session):
    dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    clock.freeze(dt.datetime.combine(session.start_date, dt.time(9)))
    services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    clock.freeze(dt.datetime.combine(session.end_date, dt.time(17)))
    pk, end = dossier.pk, session.end_date

    def declare() -> Dossier:
        return services.dossier_declare_exit(
            dossier_id=pk, actor=staff, exit_date=end, completion_rate_bp=1_000, reason="abandonment"
        )

    race(declare, declare)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_DECLARED
    assert list(dossier.transitions.values_list("event", flat=True)).count(Event.DECLARE_EXIT) == 1
    keys = LedgerTransaction.objects.filter(reference=dossier.number, idempotency_key__startswith="exit-")
    assert sorted(k.split(":")[0] for k in keys.values_list("idempotency_key", flat=True)) == [
        "exit-credit",
        "exit-forfeit",
    ]
    assert dossier.card_credited_cents == 50_000 and ledger_verify() == []


def test_rating_racing_the_automatic_validation(buyer, staff, session):
    dossier = exited(buyer, staff, session)
    clock.freeze(dt.datetime(2026, 4, 28, 9, 0))
    pk = dossier.pk
    race(
        lambda: rating_submit(dossier_id=pk, actor=buyer.user, scores=SCORES),
        lambda: rating_submit(dossier_id=pk, actor=buyer.user, scores=SCORES),
        lambda: services.validate_service_done(on=dt.date(2026, 4, 28)),
    )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SERVICE_DONE_VALIDATED
    events = list(dossier.transitions.values_list("event", flat=True))
    assert events.count(Event.HOLDER_CONFIRM) + events.count(Event.AUTO_VALIDATE) == 1
    assert Rating.objects.count() == 1 and OfferRatingSummary.objects.get().count == 1
