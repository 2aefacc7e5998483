"""Deadlines on the French business-day calendar, frozen clock around weekends and public holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencpf.core import clock
from opencpf.enrolment import deadlines, services
from opencpf.enrolment.enums import DeadlineKind, DossierState, Event
from opencpf.enrolment.models import Dossier
from tests.enrolment.conftest import make_session

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("requested_on", "expected"),
    [
        (D(2022, 12, 23), D(2022, 12, 27)),  # Friday before Christmas (Sunday): Mon 26, Tue 27
        (D(2025, 4, 30), D(2025, 5, 5)),  # Wed 30 April: Fri 2 May, Mon 5 May (1 May is a holiday)
        (D(2025, 5, 7), D(2025, 5, 12)),  # Wed 7 May: Fri 9 May, Mon 12 May (8 May is a holiday)
        (D(2025, 4, 18), D(2025, 4, 23)),  # Good Friday (not a holiday outside Alsace-Moselle): Easter Monday 21 off
        (D(2026, 3, 2), D(2026, 3, 4)),
    ],
)
def test_provider_answer_deadline_in_business_days(requested_on, expected):
    assert deadlines.provider_answer_deadline(requested_on, has_prerequisites=False) == expected


def test_acceptance_cooling_off_and_entry_deadlines():
    # proposal on Friday 23 Dec 2022: 4 business days -> Mon 26, Tue 27, Wed 28, Thu 29
    assert deadlines.holder_acceptance_deadline(D(2022, 12, 23)) == D(2022, 12, 29)
    # Monday 28 April 2025, 11 business days, skipping 1 and 8 May -> 15 May
    assert deadlines.earliest_start(D(2025, 4, 28)) == D(2025, 5, 15)
    assert deadlines.cooling_off_until(D(2025, 4, 28)) == D(2025, 5, 15)
    # start Friday 18 April 2025: Tue 22, Wed 23, Thu 24 (Easter Monday 21 off)
    assert deadlines.entry_declaration_deadline(D(2025, 4, 18)) == D(2025, 4, 24)
    assert deadlines.reminder_day(D(2025, 4, 22)) == D(2025, 4, 18)  # the business day before Easter Monday


def test_prerequisites_give_thirty_calendar_days():
    assert deadlines.provider_answer_deadline(D(2022, 12, 23), has_prerequisites=True) == D(2023, 1, 22)


def test_a_new_parameter_version_changes_the_cooling_off_from_its_date():
    from opencpf.core.params import parameter_set

    parameter_set(key="cooling_off_business_days", effective_from=D(2030, 1, 1), value=14, unit="business_days")
    assert deadlines.cooling_off_until(D(2029, 12, 3)) == D(2029, 12, 18)  # 11 still in force
    assert deadlines.cooling_off_until(D(2030, 1, 7)) == D(2030, 1, 25)  # 14 from 2030


def test_free_cancellation_window():
    kwargs = {"cooling_off_end": D(2026, 3, 17), "start_date": D(2026, 4, 1)}
    assert deadlines.is_free_cancellation(on=D(2026, 3, 17), **kwargs)
    assert not deadlines.is_free_cancellation(on=D(2026, 3, 18), **kwargs)  # after cooling-off
    late_start = {"cooling_off_end": D(2026, 3, 17), "start_date": D(2026, 3, 20)}
    assert deadlines.is_free_cancellation(on=D(2026, 3, 12), **late_start)  # 8 days before start
    assert not deadlines.is_free_cancellation(on=D(2026, 3, 13), **late_start)  # 7 days: not more than 7


def test_request_on_friday_23_december_2022_lapses_on_wednesday_28(holder, staff, provider):
    clock.freeze(dt.datetime(2022, 12, 23, 16, 0))
    session = make_session(provider, start=D(2023, 2, 1))
    dossier = services.dossier_request(actor=holder.user, session_id=session.pk)
    assert dossier.deadline_on == D(2022, 12, 27)
    for day in (D(2022, 12, 24), D(2022, 12, 26), D(2022, 12, 27)):
        assert services.expire_deadlines(on=day).get(Event.EXPIRE_ANSWER, 0) == 0
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED
    counts = services.expire_deadlines(on=D(2022, 12, 28))
    assert counts[Event.EXPIRE_ANSWER] == 1
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM
    assert dossier.holder_label == "Annulé (organisme)"
    last = dossier.transitions.last()
    assert last is not None and last.who == "system" and last.actor_id is None


def test_expire_deadlines_is_idempotent_and_reminds_once(holder, staff, provider, django_capture_on_commit_callbacks):
    clock.freeze(dt.datetime(2025, 4, 30, 9, 0))  # Wednesday before 1 May
    session = make_session(provider, start=D(2025, 6, 2))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_request(actor=holder.user, session_id=session.pk)
    assert dossier.deadline_on == D(2025, 5, 5)
    mail.outbox.clear()
    # Friday 2 May is the business day before Monday 5: the provider is reminded once
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.expire_deadlines(on=D(2025, 5, 2))
    reminders = [m for m in mail.outbox if "échéance" in m.subject]
    assert len(reminders) == 1
    assert dossier.number in reminders[0].subject and "Action à faire" in reminders[0].body
    assert reminders[0].to == [provider.email]
    # Lapse on Tuesday 6 May, applied exactly once however often the job runs
    for _ in range(3):
        services.expire_deadlines(on=D(2025, 5, 6))
        call_command("expire_deadlines", "--on", "2025-05-06")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CANCELED_BY_ORGANISM
    assert dossier.transitions.filter(event=Event.EXPIRE_ANSWER).count() == 1


def test_acceptance_lapses_around_8_may(holder, staff, provider):
    clock.freeze(dt.datetime(2025, 5, 6, 9, 0))  # Tuesday
    session = make_session(provider, start=D(2025, 6, 16))
    dossier = services.dossier_request(actor=holder.user, session_id=session.pk)
    dossier = services.dossier_propose(dossier_id=dossier.pk, actor=staff)
    assert dossier.deadline_kind == DeadlineKind.HOLDER_ACCEPTANCE
    assert dossier.deadline_on == D(2025, 5, 13)  # Wed 7, Fri 9, Mon 12, Tue 13 (Thu 8 May off)
    services.expire_deadlines(on=D(2025, 5, 13))
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.VALIDATED
    services.expire_deadlines(on=D(2025, 5, 14))
    services.expire_deadlines(on=D(2025, 5, 15))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REJECTED_WITHOUT_TITULAIRE_SUITE
    assert dossier.reserved_cents == 0 and dossier.transitions.count() == 3


def test_celery_task_runs_the_same_job(holder, provider):
    from opencpf.enrolment.tasks import expire_deadlines_task

    clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
    session = make_session(provider, start=D(2026, 4, 20))
    services.dossier_request(actor=holder.user, session_id=session.pk)
    clock.freeze(dt.datetime(2026, 3, 5, 10, 0))
    result = expire_deadlines_task.delay().get()
    assert result[Event.EXPIRE_ANSWER] == 1
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["enrolment.expire_deadlines"]["task"] == "enrolment.expire_deadlines"


@given(day=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)), prerequisites=st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_deadline_properties(db, day, prerequisites):
    from opencpf.core.calendar import business_days_between, is_business_day

    answer = deadlines.provider_answer_deadline(day, has_prerequisites=prerequisites)
    if prerequisites:
        assert (answer - day).days == 30
    else:
        assert is_business_day(answer) and business_days_between(day, answer) == 2
    earliest = deadlines.earliest_start(day)
    assert is_business_day(earliest) and business_days_between(day, earliest) == 11
    assert deadlines.holder_acceptance_deadline(day) < earliest  # a proposal can always be accepted before it starts
    reminder = deadlines.reminder_day(answer)
    assert reminder < answer and is_business_day(reminder)
