import pytest
from django.contrib.auth.models import Permission

from opencpf.core.models import AuditEvent
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.trust.exceptions import AlertAlreadyDecided
from opencpf.trust.models import Alert, AlertStatus
from opencpf.trust.services import alert_decide, offer_text_screen
from tests.conftest import login_agent

pytestmark = pytest.mark.django_db
TEXT = "Public : réservé aux hommes de moins de 30 ans. Programme : reiki et kinésiologie. Lieu : Lyon."


def agent(*codenames):
    user = staff_user_create(email=f"analyste{len(codenames)}@operateur.fr", password=None, kind=UserKind.AGENT)
    for c in codenames:
        user.user_permissions.add(Permission.objects.get(codename=c, content_type__app_label="trust"))
    return user


def test_screening_raises_one_alert_per_rule_once():
    alerts = offer_text_screen(offer_id=7, label="Bien-être et énergie – Lyon", text=TEXT)
    assert {a.rule for a in alerts} == {"discrimination.sex", "discrimination.age", "sectarian.practice"}
    sect = next(a for a in alerts if a.rule == "sectarian.practice")
    assert {r["matched"].lower() for r in sect.reasons} == {"reiki", "kinésiologie"}
    offer_text_screen(offer_id=7, label="Bien-être et énergie – Lyon", text=TEXT)  # replay: nothing new
    assert Alert.objects.count() == 3
    offer_text_screen(offer_id=7, label="x", text="Formation comptable ouverte à tous.")
    assert Alert.objects.count() == 3


def test_agent_sees_evidence_and_decides_with_a_reason(client):
    offer_text_screen(offer_id=7, label="Offre 7", text=TEXT)
    alert = Alert.objects.get(rule="discrimination.sex")
    login_agent(client, agent("view_alert", "change_alert"))
    html = client.get(f"/gestion/alertes/{alert.pk}/").content.decode()
    assert "Public : <mark>réservé aux hommes de</mark> moins de 30 ans." in html
    response = client.post(f"/gestion/alertes/{alert.pk}/", {"status": "confirmed", "reason": "Critère illégal"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED and alert.decision_reason == "Critère illégal"
    assert AuditEvent.objects.filter(action="trust.alert_decided").count() == 1
    with pytest.raises(AlertAlreadyDecided):
        alert_decide(alert_id=alert.pk, agent=alert.decided_by, status="dismissed", reason="revirement")


def test_decision_needs_permission_and_reason_and_changes_nothing_otherwise(client):
    offer_text_screen(offer_id=7, label="Offre 7", text=TEXT)
    alert = Alert.objects.get(rule="sectarian.practice")
    login_agent(client, agent("view_alert"))
    assert client.post(f"/gestion/alertes/{alert.pk}/", {"status": "dismissed", "reason": "ok"}).status_code == 403
    login_agent(client, agent("view_alert", "change_alert"))
    response = client.post(f"/gestion/alertes/{alert.pk}/", {"status": "dismissed", "reason": ""})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW and not AuditEvent.objects.exists()


def test_queue_lists_open_alerts_by_score(client):
    offer_text_screen(offer_id=1, label="Offre faible", text="Chakras et énergie, pas de femmes.")
    offer_text_screen(offer_id=2, label="Offre forte", text="Initiation au biodécodage.")
    login_agent(client, agent("view_alert"))
    html = client.get("/gestion/alertes/").content.decode()
    assert html.index("Offre forte") < html.index("Offre faible")


def test_a_committed_offer_change_is_screened(django_capture_on_commit_callbacks):
    from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

    provider = make_provider()
    cert = make_certification("RNCP35185")
    permit(provider, cert)
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(provider, cert, publish=False)
    assert not Alert.objects.exists()  # the standard test offer is clean
    from opencpf.catalogue import services

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_update(offer=offer, actor=None, training={"prerequisites": "Formation réservée aux hommes."})
    alert = Alert.objects.get()
    assert alert.rule == "discrimination.sex" and alert.subject_id == offer.pk
    assert alert.reasons[0]["excerpt"] == "Formation réservée aux hommes."
