"""Provider referencing: application, the 11-business-day deadline, logged decisions, automatic unpublication."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.catalogue import services
from opencpf.catalogue.exceptions import InvalidApplication, InvalidTransition, ReasonRequired
from opencpf.catalogue.models import (
    CertifierPermission,
    Offer,
    Provider,
    ProviderStatus,
    QualiopiCertificate,
    ReferencingDecision,
)
from opencpf.catalogue.selectors import deadline_state
from opencpf.catalogue.services.referencing import PermissionInput
from opencpf.core import clock
from opencpf.core.models import AuditEvent
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

pytestmark = pytest.mark.django_db


def apply(**overrides):  # type: ignore[no-untyped-def]
    kwargs = dict(
        name="Institut Martin",
        siret="732 829 320 00074",
        nda="84 69 1234569",
        qualiopi_number="QUA-2026-001",
        qualiopi_expires_on=dt.date(2028, 1, 1),
        permissions=[PermissionInput("RNCP35185", "Ministère du Travail", "HAB-1")],
        directors_declaration=True,
    )
    kwargs.update(overrides)
    return services.provider_apply(**kwargs)


def test_application_sets_the_11_business_day_deadline(cert, frozen_clock):
    # Monday 2 March 2026: 11 business days later is Tuesday 17 March.
    provider = apply()
    assert provider.status == ProviderStatus.PENDING
    assert provider.siret == "73282932000074" and provider.nda == "84691234569"
    assert provider.check_deadline == dt.date(2026, 3, 17)
    assert QualiopiCertificate.objects.get(provider=provider).expires_on == dt.date(2028, 1, 1)
    perm = CertifierPermission.objects.get(provider=provider)
    assert perm.certification == cert and perm.certifier.name == "Ministère du Travail"
    decision = ReferencingDecision.objects.get(provider=provider)
    assert (decision.from_status, decision.to_status, decision.reason) == (
        "",
        "pending",
        "Demande de référencement déposée",
    )
    assert deadline_state(provider) == {"deadline": dt.date(2026, 3, 17), "days_left": 11, "overdue": False}
    clock.freeze(dt.date(2026, 3, 19))
    assert deadline_state(provider)["overdue"] is True


def test_deadline_skips_public_holidays(cert):
    clock.freeze(dt.datetime(2026, 4, 30, 10, 0))  # 1 and 8 May, Ascension (14 May) are holidays
    provider = apply()
    assert provider.check_deadline == dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "73282932000075"}, "Le SIRET doit comporter 14 chiffres et sa clé de contrôle doit être juste."),
        ({"nda": "1234"}, "Le numéro de déclaration d'activité (NDA) doit comporter 11 chiffres."),
        ({"directors_declaration": False}, "La déclaration sur l'honneur concernant les dirigeants est obligatoire."),
        ({"qualiopi_expires_on": dt.date(2026, 1, 1)}, "Le certificat Qualiopi est expiré."),
        (
            {"permissions": [PermissionInput("RNCP999999")]},
            "La certification « RNCP999999 » est inconnue du répertoire.",
        ),
    ],
)
def test_invalid_applications_change_nothing(cert, frozen_clock, overrides, message):
    with pytest.raises(InvalidApplication) as exc:
        apply(**overrides)
    assert exc.value.message == message
    assert not Provider.objects.exists() and not ReferencingDecision.objects.exists()


def test_decisions_are_logged_with_reason_and_follow_the_table(cert, agent, frozen_clock):
    provider = apply()
    services.provider_decide(provider=provider, event="reference", actor=agent, reason="Dossier complet")
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.REFERENCED and provider.referenced_at == frozen_clock.now()
    d = ReferencingDecision.objects.filter(provider=provider).first()
    assert (d.from_status, d.to_status, d.event, d.reason, d.decided_by) == (
        "pending",
        "referenced",
        "reference",
        "Dossier complet",
        agent,
    )
    assert AuditEvent.objects.filter(action="catalogue.provider.reference", object_id=str(provider.pk)).exists()
    with pytest.raises(InvalidTransition):
        services.provider_decide(provider=provider, event="refuse", actor=agent, reason="trop tard")
    with pytest.raises(ReasonRequired):
        services.provider_decide(provider=provider, event="suspend", actor=agent, reason="  ")
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.REFERENCED
    assert ReferencingDecision.objects.filter(provider=provider).count() == 2


def test_suspension_and_delisting_unpublish_all_offers(cert, agent, frozen_clock):
    provider = make_provider()
    permit(provider, cert)
    offers = [make_offer(provider, cert, ref=f"A{i}") for i in range(3)]
    services.provider_decide(provider=provider, event="suspend", actor=agent, reason="contrôle en cours")
    assert not Offer.objects.filter(pk__in=[o.pk for o in offers], is_published=True).exists()
    assert Offer.objects.filter(unpublished_reason="organisme suspendu : contrôle en cours").count() == 3
    services.provider_decide(provider=provider, event="reinstate", actor=agent, reason="contrôle levé")
    services.provider_decide(provider=provider, event="delist", actor=agent, reason="fraude avérée")
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.DELISTED
    assert [d.event for d in ReferencingDecision.objects.filter(provider=provider).order_by("pk")] == [
        "suspend",
        "reinstate",
        "delist",
    ]


def test_withdrawn_permission_unpublishes_only_the_offers_concerned(provider, agent, frozen_clock):
    english = make_certification("RNCP35185")
    excel = make_certification("RS5000", title="Tableur")
    perm = permit(provider, english)
    permit(provider, excel)
    a = make_offer(provider, english, ref="A1", training_ref="F1")
    b = make_offer(provider, excel, ref="B1", training_ref="F2")
    assert services.permission_withdraw(permission=perm, actor=agent, reason="convention dénoncée") == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert not a.is_published and b.is_published


def test_expired_qualiopi_unpublishes_in_the_daily_sweep_idempotently(provider, cert, permitted, frozen_clock):
    QualiopiCertificate.objects.filter(provider=provider).update(expires_on=dt.date(2026, 3, 10))
    offer = make_offer(provider, cert)
    assert services.offers_enforce_compliance()["certificat Qualiopi expiré"] == 0
    clock.freeze(dt.date(2026, 3, 11))
    counts = services.offers_enforce_compliance()
    assert counts["certificat Qualiopi expiré"] == 1
    offer.refresh_from_db()
    assert not offer.is_published and offer.unpublished_reason == "certificat Qualiopi expiré"
    assert sum(services.offers_enforce_compliance().values()) == 0  # idempotent


def test_sweep_command_and_task(provider, cert, permitted, frozen_clock):
    from io import StringIO

    from django.core.management import call_command

    from opencpf.catalogue.tasks import enforce_compliance

    offer = make_offer(provider, cert)
    cert.is_active = False
    cert.save()
    out = StringIO()
    call_command("catalogue_enforce", stdout=out)
    assert "certification inactive : 1 offre(s) dépubliée(s)" in out.getvalue()
    assert not Offer.objects.get(pk=offer.pk).is_published
    assert sum(enforce_compliance.delay().get().values()) == 0


def test_reapplication_after_refusal(cert, agent, frozen_clock):
    provider = apply()
    with pytest.raises(InvalidApplication):
        apply(name="Doublon")  # a pending application exists
    services.provider_decide(provider=provider, event="refuse", actor=agent, reason="NDA inconnu de la DREETS")
    clock.freeze(dt.date(2026, 6, 1))
    again = apply(name="Institut Martin (nouvelle demande)")
    assert again.pk == provider.pk and again.status == ProviderStatus.PENDING
    assert again.check_deadline == dt.date(2026, 6, 16)
