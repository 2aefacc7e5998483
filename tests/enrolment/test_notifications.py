"""Every transition and every reminder sends French mail and an in-app message, after commit only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from opencpf.core import clock
from opencpf.enrolment import services
from opencpf.enrolment.exceptions import ReasonRequired
from opencpf.enrolment.models import Dossier, Message

pytestmark = pytest.mark.django_db


def test_each_step_of_a_dossier_notifies_with_number_and_action(
    buyer, staff, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
        services.dossier_propose(dossier_id=dossier.pk, actor=staff)
        services.dossier_accept(dossier_id=dossier.pk, actor=buyer.user, strong_session=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_deadlines(on=dt.date(2026, 4, 17))  # the day before the entry deadline (Mon 20 April)
    clock.freeze(dt.datetime(2026, 4, 15, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 9  # request, propose, accept, entry: both parties; reminder: the provider
    for m in mail.outbox:
        assert dossier.number in m.subject
        assert "Action à faire" in m.body or "Aucune action" in m.body
    assert any("échéance" in s for s in subjects)
    assert any("Action à faire : acceptez" in m.body for m in mail.outbox if m.to == [buyer.user.email])
    assert Message.objects.filter(recipient=buyer.user).count() == 4
    assert Message.objects.filter(recipient=staff).count() == 5


def test_nothing_is_sent_when_the_transaction_rolls_back(buyer, staff, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_request(actor=buyer.user, session_id=session.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ReasonRequired):
        services.dossier_refuse(dossier_id=dossier.pk, actor=staff, reason="")
    assert callbacks == [] and mail.outbox == []
    assert Dossier.objects.get(pk=dossier.pk).version == 0
