import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache

from opencpf.catalogue.models import Provider
from opencpf.core import clock
from opencpf.core.models import AuditEvent
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.support.models import Report, Ticket, TicketMessage, TicketPriority, TicketStatus
from opencpf.support.services import ticket_open
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db


def agent(*codenames: str, email: str = "conseiller@operateur.fr"):
    user = staff_user_create(email=email, password=None, kind=UserKind.AGENT)
    for c in codenames:
        user.user_permissions.add(Permission.objects.get(codename=c, content_type__app_label="support"))
    return user


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_holder_asks_a_question_and_gets_a_receipt(client, holder, django_capture_on_commit_callbacks):
    client.force_login(holder.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mon-compte/demandes/nouvelle/",
            {"category": "account", "subject": "Crédit 2025 absent", "body": "Mon compte n'a pas été crédité."},
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mon-compte/demandes/{ticket.number}/"
    assert ticket.number.startswith("DA-") and ticket.status == TicketStatus.NEW
    assert ticket.priority == TicketPriority.NORMAL
    assert mail.outbox[0].to == [holder.user.email] and ticket.number in mail.outbox[0].subject
    assert "Crédit 2025 absent" in client.get("/mon-compte/demandes/").content.decode()


def test_invalid_question_is_explained_and_nothing_is_created(client, holder):
    client.force_login(holder.user)
    response = client.post("/mon-compte/demandes/nouvelle/", {"category": "", "subject": "", "body": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire contient des erreurs" in html and 'aria-describedby="id_subject-erreur"' in html
    assert not Ticket.objects.exists()


def test_scam_words_make_a_ticket_urgent(holder):
    ticket = ticket_open(
        author=holder.user,
        category="other",
        subject="Appel suspect",
        body="On m'a appelé, je crois que c'est une arnaque, ils ont mon code.",
    )
    assert ticket.priority == TicketPriority.URGENT


def test_another_holder_cannot_read_or_answer(client, holder, other_holder):
    ticket = ticket_open(author=holder.user, category="account", subject="Question", body="Bonjour")
    client.force_login(other_holder.user)
    assert client.get(f"/mon-compte/demandes/{ticket.number}/").status_code == 404
    assert client.post(f"/mon-compte/demandes/{ticket.number}/", {"body": "intrusion"}).status_code == 404
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_agent_answers_the_holder_is_told_and_can_reply(client, holder, django_capture_on_commit_callbacks):
    ticket = ticket_open(author=holder.user, category="payment", subject="Remboursement", body="Bonjour")
    assert ticket.priority == TicketPriority.HIGH
    login_agent(client, agent("view_ticket", "change_ticket"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/gestion/demandes/{ticket.number}/", {"body": "Voici la réponse.", "reply": ""})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED and ticket.assigned_to is not None
    assert mail.outbox[-1].to == [holder.user.email] and "Réponse" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="support.ticket_answered").count() == 1
    client.force_login(holder.user)
    client.post(f"/mon-compte/demandes/{ticket.number}/", {"body": "Merci, mais…"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_AGENT and ticket.messages.count() == 3


def test_read_only_agent_cannot_answer_and_nothing_changes(client, holder):
    ticket = ticket_open(author=holder.user, category="account", subject="Question", body="Bonjour")
    login_agent(client, agent("view_ticket"))
    assert client.get(f"/gestion/demandes/{ticket.number}/").status_code == 200
    assert client.post(f"/gestion/demandes/{ticket.number}/", {"body": "x", "reply": ""}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.messages.count() == 1


def test_queue_lists_urgent_first_then_oldest(client, holder):
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0))
    old = ticket_open(author=holder.user, category="account", subject="Ancienne", body="a")
    clock.move(dt.timedelta(hours=3))
    new = ticket_open(author=holder.user, category="account", subject="Récente", body="b")
    urgent = ticket_open(author=holder.user, category="account", subject="Urgente", body="compte piraté")
    login_agent(client, agent("view_ticket"))
    html = client.get("/gestion/demandes/").content.decode()
    assert html.index(urgent.number) < html.index(old.number) < html.index(new.number)
    assert "3 h" in html


def test_anonymous_report_is_linked_to_the_provider(client, django_capture_on_commit_callbacks):
    provider = Provider.objects.create(name="Formations Miracle", siret="73282932000074")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/signaler/",
            {
                "kind": "cold_calling",
                "description": "Appel insistant pour utiliser mon CPF, on m'a demandé un code.",
                "provider_siret": "732 829 320 00074",
                "caller_phone": "0102030405",
                "occurred_on": "01/03/2026",
                "reporter_email": "temoin@example.org",
            },
        )
    assert response.status_code == 200 and "Merci, votre signalement a bien été envoyé" in response.content.decode()
    report = Report.objects.get()
    assert report.provider == provider and report.provider_name == "Formations Miracle"
    assert report.reference.startswith("SG-") and report.ip == "127.0.0.1"
    assert mail.outbox[-1].to == ["temoin@example.org"]


def test_bad_report_is_refused_with_a_french_message(client):
    response = client.post("/signaler/", {"kind": "scam", "description": "court", "occurred_on": "01/01/2099"})
    assert response.status_code == 400
    assert "Décrivez ce qui s&#x27;est passé" in response.content.decode()
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_ip(client):
    data = {"kind": "scam", "description": "Un message me demandait mes identifiants du compte."}
    for _ in range(10):
        assert client.post("/signaler/", data).status_code == 200
    refused = client.post("/signaler/", data)
    assert refused.status_code == 400 and "Réessayez dans une heure" in refused.content.decode()
    assert Report.objects.count() == 10


def test_triage_is_audited(client):
    client.post("/signaler/", {"kind": "scam", "description": "Un message me demandait mes identifiants."})
    report = Report.objects.get()
    login_agent(client, agent("view_report", "change_report"))
    response = client.post(f"/gestion/signalements/{report.reference}/", {"status": "forwarded", "note": "Transmis"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "forwarded"
    assert AuditEvent.objects.get(action="support.report_triaged").reason == "Transmis"
