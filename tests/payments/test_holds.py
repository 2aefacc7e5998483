import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.enrolment import services as enrolment
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.payments import holds
from opencpf.payments.models import HoldSource, PaymentHold
from tests.enrolment.conftest import make_provider, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(buyer, provider, clock_monday):
    session = make_session(provider, start=dt.date(2026, 6, 1))
    return enrolment.dossier_request(actor=buyer.user, session_id=session.pk)


@pytest.fixture
def agent_user(db):
    return staff_user_create(email="controle@operateur.fr", password=None, kind=UserKind.AGENT)


def test_dossier_free_of_holds_may_be_paid(dossier):
    assert holds.holds_for(dossier) == []


def test_provider_hold_stops_its_dossiers_and_lifting_frees_them(dossier, agent_user):
    hold = holds.place_hold(
        source=HoldSource.CONTROL,
        source_ref="C-1",
        reason="Feuilles d'émargement demandées",
        provider=dossier.provider,
        by=agent_user,
    )
    assert holds.holds_for(dossier) == ["Contrôle en cours : Feuilles d'émargement demandées"]
    assert holds.held_provider_ids() == {dossier.provider_id}
    holds.lift_hold(hold=hold, by=agent_user, reason="Justificatifs reçus")
    assert holds.holds_for(dossier) == []
    assert AuditEvent.objects.filter(action__in=["payments.hold_placed", "payments.hold_lifted"]).count() == 2


def test_placing_the_same_hold_twice_keeps_one(dossier, agent_user):
    kw = dict(source=HoldSource.DISPUTE, source_ref="L-7", reason="Litige", dossier=dossier, by=agent_user)
    first = holds.place_hold(**kw)
    second = holds.place_hold(**kw)
    assert first.pk == second.pk and PaymentHold.objects.count() == 1
    assert holds.held_dossier_ids() == {dossier.pk}


def test_the_database_refuses_a_second_active_hold_for_the_same_origin_and_target(dossier, agent_user):
    """The unique index holds on SQLite as on PostgreSQL, though the absent target is NULL."""
    kw = dict(source=HoldSource.DISPUTE, source_ref="L-8", reason="Litige", dossier=dossier)
    PaymentHold.objects.create(**kw, placed_at=clock.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentHold.objects.create(**kw, placed_at=clock.now())
    assert PaymentHold.objects.count() == 1
    PaymentHold.objects.update(lifted_at=clock.now())  # once lifted, the same hold may be placed again
    PaymentHold.objects.create(**kw, placed_at=clock.now())
    assert PaymentHold.objects.count() == 2


def test_a_hold_on_another_provider_does_not_stop_this_dossier(dossier, agent_user):
    other = make_provider("55208131766522", "Autre")
    holds.place_hold(source=HoldSource.SANCTION, source_ref="S-1", reason="Suspension", provider=other, by=agent_user)
    assert holds.holds_for(dossier) == []


def test_lift_holds_by_origin(dossier, agent_user):
    holds.place_hold(source=HoldSource.CONTROL, source_ref="C-2", reason="x", dossier=dossier, by=agent_user)
    holds.place_hold(source=HoldSource.CONTROL, source_ref="C-2", reason="x", provider=dossier.provider, by=agent_user)
    assert holds.lift_holds(source=HoldSource.CONTROL, source_ref="C-2", by=agent_user, reason="Clos") == 2
    assert holds.lift_holds(source=HoldSource.CONTROL, source_ref="C-2", by=agent_user, reason="Clos") == 0
    clock.move(dt.timedelta(days=1))
    assert holds.holds_for(dossier) == []
