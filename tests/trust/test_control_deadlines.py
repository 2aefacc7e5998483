"""Control deadlines: a reminder N business days before (a dated parameter), once; "unanswered" after the deadline,
once, first in the controllers' queue; a late answer is still received until the decision."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from opencpf.core import clock
from opencpf.core.audit import AuditEvent
from opencpf.core.calendar import add_business_days
from opencpf.core.params import parameter_set
from opencpf.enrolment.models import Message
from opencpf.trust.controls import control_answer, control_deadlines, control_decide, control_open, control_queue
from opencpf.trust.models import Control, ControlStatus
from tests.conftest import login_agent
from tests.trust.test_controls import PDF

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> None:
    clock.freeze(dt.datetime.combine(day, dt.time(6, 0)))


@pytest.fixture
def opened(controller, staff, provider, clock_monday):
    def open_one(reason: str = "Pic de dossiers") -> Control:
        return control_open(
            provider_id=provider.pk, agent=controller, reason=reason, proofs_requested="Feuilles d'émargement"
        )

    return open_one


def test_reminder_three_business_days_before_the_deadline_once(
    opened, staff, mailoutbox, django_capture_on_commit_callbacks
):
    control = opened()
    assert control.deadline == dt.date(2026, 3, 23)  # 15 business days after Monday 2 March
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        at(dt.date(2026, 3, 17))  # 4 business days before: too early
        assert control_deadlines().reminded == []
        at(dt.date(2026, 3, 18))  # 3 business days before
        assert control_deadlines().reminded == [control.reference]
        assert control_deadlines().reminded == []  # the same day again
        at(dt.date(2026, 3, 19))
        assert control_deadlines().reminded == []  # and the next day
    (sent,) = mailoutbox
    assert sent.subject == f"Contrôle {control.reference} : justificatifs attendus au plus tard le 23/03/2026"
    assert "Feuilles d'émargement" in sent.body and "rubrique « Contrôles »" in sent.body
    assert sorted(sent.to) == ["contact@73282932000074.fr", "of@example.org"]
    (message,) = Message.objects.filter(recipient=staff, dossier__isnull=True)
    assert message.subject == sent.subject and message.body == sent.body
    control.refresh_from_db()
    assert control.status == ControlStatus.AWAITING and control.reminded_at is not None
    assert AuditEvent.objects.filter(action="trust.control_reminded", object_id=str(control.pk)).count() == 1


def test_no_reminder_for_an_answered_control(opened, staff, mailoutbox):
    control = opened()
    control_answer(control_id=control.pk, user=staff, answer="Voici", proofs=[])
    at(dt.date(2026, 3, 18))
    outcome = control_deadlines()
    at(dt.date(2026, 3, 24))
    later = control_deadlines()
    assert outcome.reminded == later.lapsed == []
    control.refresh_from_db()
    assert control.status == ControlStatus.ANSWERED and control.reminded_at is None and control.lapsed_at is None


def test_the_reminder_delay_is_a_dated_parameter(opened):
    parameter_set(
        key="control_reminder_business_days", effective_from=dt.date(2026, 3, 1), value=5, unit="business_days"
    )
    control = opened()
    at(dt.date(2026, 3, 13))  # 6 business days before 23 March
    assert control_deadlines().reminded == []
    at(dt.date(2026, 3, 16))  # 5 business days before
    assert control_deadlines().reminded == [control.reference]


def test_unanswered_after_the_deadline_first_in_the_queue_then_a_late_answer(
    opened, controller, staff, client, mailoutbox, django_capture_on_commit_callbacks
):
    silent = opened("Dossiers fictifs")
    clock.freeze(dt.datetime(2026, 3, 3, 10, 0))
    answered = opened("Heures courtes")  # deadline 24 March, answered
    control_answer(control_id=answered.pk, user=staff, answer="Voici", proofs=[])
    clock.freeze(dt.datetime(2026, 3, 4, 10, 0))
    waiting = opened("Vérification")  # deadline 25 March, still awaiting
    mailoutbox.clear()

    at(dt.date(2026, 3, 23))  # the deadline day itself: still in time
    assert control_deadlines().lapsed == []
    with django_capture_on_commit_callbacks(execute=True):
        at(dt.date(2026, 3, 24))
        assert control_deadlines().lapsed == [silent.reference]
        assert control_deadlines().lapsed == []  # once
    silent.refresh_from_db()
    assert silent.status == ControlStatus.UNANSWERED and silent.lapsed_at is not None
    to_provider = next(m for m in mailoutbox if "of@example.org" in m.to)
    assert to_provider.subject == f"Contrôle {silent.reference} : délai de réponse dépassé"
    assert "restent recevables tant que la décision n'est pas prise" in to_provider.body
    to_controller = next(m for m in mailoutbox if m.to == ["controle@operateur.fr"])
    assert "tranchez le contrôle" in to_controller.body
    assert Message.objects.filter(recipient=staff, subject=to_provider.subject).count() == 1
    assert AuditEvent.objects.filter(action="trust.control_unanswered").count() == 1

    # The controllers' queue: unanswered first, then the answer to examine, then the one still awaiting.
    assert [c.pk for c in control_queue()] == [silent.pk, answered.pk, waiting.pk]
    login_agent(client, controller)
    html = client.get("/gestion/controles/").content.decode()
    assert html.index(silent.reference) < html.index(answered.reference) < html.index(waiting.reference)
    assert "Sans réponse dans le délai" in html

    # A late answer is received (the controller is told it is late); the controller decides.
    with django_capture_on_commit_callbacks(execute=True):
        control_answer(
            control_id=silent.pk,
            user=staff,
            answer="En retard, désolé",
            proofs=[("attendance", SimpleUploadedFile("e.pdf", PDF))],
        )
    silent.refresh_from_db()
    assert silent.status == ControlStatus.ANSWERED and silent.lapsed_at is not None
    assert "a répondu après la date limite" in mailoutbox[-1].body
    control_decide(control_id=silent.pk, agent=controller, outcome="compliant", reason="Justifié")
    at(dt.date(2026, 3, 30))
    assert control_deadlines().lapsed == [waiting.reference]  # the closed one is left alone


def test_command_and_daily_task(opened, capsys):
    from opencpf.trust.tasks import control_deadlines as task

    assert settings.CELERY_BEAT_SCHEDULE["trust.control_deadlines"]["task"] == task.name
    first, second = opened("Un"), opened("Deux")
    Control.objects.filter(pk=first.pk).update(deadline=dt.date(2026, 3, 4))
    call_command("control_deadlines", "--on", "2026-03-05")
    out = capsys.readouterr().out
    assert "Contrôles relancés : 0 ; contrôles sans réponse dans le délai : 1" in out and first.reference in out
    at(add_business_days(second.deadline, -3))
    assert task.delay().get() == {"reminded": [second.reference], "lapsed": []}
