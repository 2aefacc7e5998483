"""Purchases are scored after commit from their origin; the nightly batch finds providers' and offers' outliers."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from opencpf.core import clock
from opencpf.enrolment import services as enrolment
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.identity.strong import holder_can_purchase
from opencpf.trust import ruleset
from opencpf.trust.context import Origin, reset_origin, set_origin
from opencpf.trust.models import ActivityEvent, Alert, AlertEvent, PurchaseSuspension, RuleSet
from opencpf.trust.scoring import nightly, record_activity
from opencpf.trust.services import alert_action
from tests.conftest import login_agent
from tests.enrolment.conftest import make_provider, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def fraud_analyst(db):
    user = staff_user_create(email="fraude@operateur.fr", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="fraud_analyst"))
    return type(user).objects.get(pk=user.pk)


def request_from(holder, session, ip, device, capture):
    token = set_origin(Origin(ip=ip, device=device))
    try:
        with capture(execute=True):
            return enrolment.dossier_request(actor=holder.user, session_id=session.pk)
    finally:
        reset_origin(token)


def test_seeded_ruleset_version_is_shown_on_alerts(buyer, session, django_capture_on_commit_callbacks):
    assert RuleSet.objects.get().version == ruleset.current(fresh=True).version == "2026.1"
    buyer.user.security_changed_at = clock.now() - dt.timedelta(days=4)
    buyer.user.save(update_fields=["security_changed_at"])
    d = request_from(buyer, session, "192.0.2.10", "dev-a", django_capture_on_commit_callbacks)
    alert = Alert.objects.get(rule="holder.purchase_after_security_change")
    assert alert.subject_id == d.pk and alert.ruleset_version == "2026.1"
    assert ActivityEvent.objects.filter(dossier_id=d.pk, ip="192.0.2.10", kind="request").exists()


def test_a_clean_purchase_from_a_known_origin_raises_nothing(buyer, session, django_capture_on_commit_callbacks):
    for days in (20, 10, 5):
        record_activity(
            user_id=buyer.user_id,
            kind="login",
            ip="192.0.2.10",
            device="dev-a",
            at=clock.now() - dt.timedelta(days=days),
        )
    request_from(buyer, session, "192.0.2.10", "dev-a", django_capture_on_commit_callbacks)
    assert not Alert.objects.exists()


def test_new_origin_and_shared_ip(buyer, other_holder, session, django_capture_on_commit_callbacks):
    for days in (20, 10):
        record_activity(
            user_id=buyer.user_id,
            kind="login",
            ip="192.0.2.10",
            device="dev-a",
            at=clock.now() - dt.timedelta(days=days),
        )
    for i in range(4):  # four other accounts just activated from the same address
        other = type(buyer.user).objects.create(username=f"x{i}", email=f"x{i}@example.org", kind=UserKind.HOLDER)
        record_activity(user_id=other.pk, kind="activation", ip="203.0.113.7", device=f"z{i}", at=clock.now())
    request_from(buyer, session, "203.0.113.7", "dev-new", django_capture_on_commit_callbacks)
    rules = set(Alert.objects.values_list("rule", flat=True))
    assert {"holder.purchase_new_origin", "holder.shared_origin"} <= rules


def test_requests_of_several_holders_to_one_provider_from_one_ip(provider, session, django_capture_on_commit_callbacks):
    from opencpf.identity.services import holder_create

    for i in range(3):
        body = f"1850578{100 + i:06d}"
        h = holder_create(
            nir=f"{body}{97 - int(body) % 97:02d}",
            birth_name=f"N{i}",
            first_names="A",
            birth_date=dt.date(1985, 5, 14),
            sex="M",
            email=f"h{i}@example.org",
            password=None,
        )
        h.user.email_confirmed_at = clock.now()
        h.user.save()
        request_from(h, session, "198.51.100.4", f"d{i}", django_capture_on_commit_callbacks)
    alert = Alert.objects.get(rule="provider.same_ip_requests")
    assert alert.subject_type == "provider" and alert.subject_id == provider.pk


def test_actions_from_an_alert_are_explicit_and_recorded(
    buyer, session, fraud_analyst, django_capture_on_commit_callbacks
):
    buyer.user.security_changed_at = clock.now() - dt.timedelta(days=5)
    buyer.user.save(update_fields=["security_changed_at"])
    request_from(buyer, session, "192.0.2.10", "dev-a", django_capture_on_commit_callbacks)
    alert = Alert.objects.get(rule="holder.purchase_after_security_change")
    assert holder_can_purchase(buyer)[0] and not PurchaseSuspension.objects.exists()  # nothing automatic
    alert_action(
        alert_id=alert.pk, agent=fraud_analyst, action="suspend_purchases", reason="Prise de contrôle", days=30
    )
    buyer.refresh_from_db()
    ok, why = holder_can_purchase(buyer)
    assert not ok and "suspendus jusqu'au" in why
    alert.refresh_from_db()
    assert alert.status == "investigating"
    assert AlertEvent.objects.filter(alert=alert, action="suspend_purchases").exists()


def test_hold_payments_from_a_provider_alert(provider, fraud_analyst):
    from opencpf.payments.models import PaymentHold
    from opencpf.trust.services import alert_raise

    alert, _ = alert_raise(
        rule="provider.dossier_spike",
        subject_type="provider",
        subject_id=provider.pk,
        subject_label="x",
        score=0.9,
        reasons=[],
    )
    alert_action(alert_id=alert.pk, agent=fraud_analyst, action="hold_payments", reason="Pic anormal")
    hold = PaymentHold.objects.get()
    assert hold.source == "alert" and hold.provider_id == provider.pk and hold.lifted_at is None
    from opencpf.trust.exceptions import ActionNotApplicable

    with pytest.raises(ActionNotApplicable):
        alert_action(alert_id=alert.pk, agent=fraud_analyst, action="suspend_purchases", reason="x")


def test_nightly_finds_a_spike_and_a_price_outlier(clock_monday, buyer):
    provider = make_provider("73282932000074")
    session = make_session(provider, start=dt.date(2026, 4, 15))
    now = clock.now()
    base = dict(
        holder=buyer,
        provider=provider,
        training=session.offer.training,
        offer=session.offer,
        session=session,
        start_date=session.start_date,
        end_date=session.end_date,
        price_cents=150_000,
    )
    rows = [
        Dossier(number=f"B{i:08d}", requested_at=now - dt.timedelta(days=14 + 7 * (i % 12)), **base) for i in range(12)
    ]
    rows += [Dossier(number=f"S{i:08d}", requested_at=now - dt.timedelta(days=i % 6), **base) for i in range(30)]
    Dossier.objects.bulk_create(rows)
    for i in range(6):  # six peers of the same certification (35 hours), and one offer priced five times the median
        peer = make_provider(f"3560000000{i:04d}", f"Pair {i}")
        make_session(peer, start=dt.date(2026, 4, 15), price=150_000 + 1000 * i)
    pricey = make_session(make_provider("44306184100047", "Cher"), start=dt.date(2026, 4, 15), price=800_000)
    report = nightly()
    assert report.signals.get("provider.dossier_spike") == 1
    rules = {(a.rule, a.subject_id) for a in Alert.objects.all()}
    assert ("provider.dossier_spike", provider.pk) in rules and ("offer.price_outlier", pricey.offer_id) in rules
    assert nightly().alerts == report.alerts  # same week: the same alerts, not new ones
    assert Alert.objects.count() == report.alerts


def test_origin_middleware_gives_a_device_cookie_and_logins_are_remembered(client, buyer):
    response = client.get("/", REMOTE_ADDR="192.0.2.44")
    raw = response.cookies["ocpf_device"].value
    assert response.cookies["ocpf_device"]["httponly"]
    client.force_login(buyer.user)  # force_login sends user_logged_in without a request
    assert ActivityEvent.objects.filter(user=buyer.user, kind="login").count() == 1
    ev = ActivityEvent.objects.get(user=buyer.user, kind="login")
    assert raw not in ev.device  # only a digest is stored


def test_agent_acts_from_the_alert_page(client, provider, fraud_analyst):
    from opencpf.payments.models import PaymentHold
    from opencpf.trust.services import alert_raise

    alert, _ = alert_raise(
        rule="provider.dossier_spike",
        subject_type="provider",
        subject_id=provider.pk,
        subject_label="OF",
        score=0.9,
        reasons=[{"label": "60 nouveaux dossiers en 7 jours"}],
    )
    login_agent(client, fraud_analyst)
    html = client.get(f"/gestion/alertes/{alert.pk}/").content.decode()
    assert "Suspendre les paiements de l&#x27;organisme" in html and "ouvrir un contrôle" in html
    response = client.post(f"/gestion/alertes/{alert.pk}/agir/", {"action": "hold_payments", "reason": "", "days": 30})
    assert response.status_code == 302 and not PaymentHold.objects.exists()  # no reason: nothing done
    client.post(f"/gestion/alertes/{alert.pk}/agir/", {"action": "hold_payments", "reason": "Pic", "days": 30})
    assert PaymentHold.objects.get().source == "alert"
