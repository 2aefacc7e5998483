"""Enrolment fixtures: a referenced provider with staff, a published offer and sessions, an agent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Session, Training
from opencpf.core import clock
from opencpf.identity.models import ProviderMembership, UserKind
from opencpf.identity.services import staff_user_create

MONDAY = dt.datetime(2026, 3, 2, 10, 0)


def make_provider(siret: str, name: str = "FormaPro") -> Provider:
    return Provider.objects.create(
        name=name, siret=siret, nda="11111111111", status=ProviderStatus.REFERENCED, email=f"contact@{siret}.fr"
    )


def make_session(provider: Provider, *, start: dt.date, prerequisites: bool = False, price: int = 150_000) -> Session:
    cert, _ = Certification.objects.get_or_create(code="RS5000", defaults={"kind": "RS", "title": "Bureautique"})
    n = Training.objects.count() + 1
    training = Training.objects.create(
        provider=provider,
        certification=cert,
        reference=f"F{n}",
        title=f"Tableur niveau {n}",
        has_prerequisites=prerequisites,
    )
    offer = Offer.objects.create(
        training=training,
        reference=f"A{n}",
        hours_total=35,
        price_incl_tax_cents=price,
        price_excl_tax_cents=price * 100 // 120,
        is_published=True,
        city="Lyon",
    )
    return Session.objects.create(
        offer=offer, reference=f"S{n}", start_date=start, end_date=start + dt.timedelta(days=5)
    )


@pytest.fixture
def clock_monday():
    clock.freeze(MONDAY)
    yield clock
    clock.unfreeze()


@pytest.fixture
def provider(db):
    return make_provider("73282932000074")


@pytest.fixture
def staff(provider):
    user = staff_user_create(email="of@example.org", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=provider)
    return user


@pytest.fixture
def other_staff(db):
    other = make_provider("35600000000048", "Autre OF")
    user = staff_user_create(email="autre@example.org", password=None, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=other)
    return user


@pytest.fixture
def agent(db):
    """A case manager: the role may cancel dossiers (permissions granted by enrolment's migration)."""
    user = staff_user_create(email="agent@example.org", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="case_manager"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def agent_without_perm(db):
    """Support (level 1): reads dossiers, may not cancel them."""
    user = staff_user_create(email="support@example.org", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="support"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def session(provider, clock_monday):
    return make_session(provider, start=dt.date(2026, 4, 15))


def credit(holder, amount_cents: int, key: str = "credit-1") -> None:  # type: ignore[no-untyped-def]
    """Rights for a holder, posted through the rights ledger as a yearly credit would."""
    from django.db import transaction

    from opencpf.rights.enums import AccountKind, TransactionKind
    from opencpf.rights.ledger import holder_account, platform_account, post

    with transaction.atomic():
        account = holder_account(AccountKind.RIGHTS, holder.nir_hash)
        post(
            key=key,
            kind=TransactionKind.CREDIT_YEAR,
            lines=[(platform_account(AccountKind.OPERATOR_FUNDING, "tests"), -amount_cents), (account, amount_cents)],
            label="Crédit de test",
        )


def account_total(kind: str, reference: str = "") -> int:
    from django.db.models import Sum

    from opencpf.rights.models import Entry

    total = Entry.objects.filter(account__kind=kind, account__reference=reference).aggregate(s=Sum("amount_cents"))["s"]
    return int(total or 0)


def rights_balance(holder) -> int:  # type: ignore[no-untyped-def]
    from opencpf.rights.selectors import balances

    return balances(nir_hash=holder.nir_hash).total_cents


@pytest.fixture
def buyer(holder):
    """The `holder` fixture with a confirmed email (purchases allowed) and 1 000 € of rights."""
    holder.user.email_confirmed_at = clock.now()
    holder.user.save(update_fields=["email_confirmed_at"])
    credit(holder, 100_000)
    return holder


def make_strong(client) -> None:  # type: ignore[no-untyped-def]
    """Mark the test client's session as strongly authenticated (as identity's step-up does)."""
    from opencpf.identity.strong import SESSION_KEY

    session = client.session
    until = clock.now() + dt.timedelta(hours=1)
    session[SESSION_KEY] = {"method": "totp", "until": until.isoformat()}
    session.save()
