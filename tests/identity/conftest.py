from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, TestCase

from opencpf.catalogue.models import Provider, ProviderStatus
from opencpf.identity.models import ProviderMembership, ProviderRole, User, UserKind
from opencpf.identity.services import staff_user_create
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_provider(name: str, siret: str, admin_email: str) -> tuple[Provider, User]:
    provider = Provider.objects.create(name=name, siret=siret, status=ProviderStatus.REFERENCED)
    user = staff_user_create(email=admin_email, password=DEMO_PASSWORD, kind=UserKind.PROVIDER)
    ProviderMembership.objects.create(user=user, provider=provider, role=ProviderRole.ADMINISTRATOR)
    return provider, user


@pytest.fixture
def provider_a(db):  # type: ignore[no-untyped-def]
    return make_provider("Organisme A", "73282932000074", "admin@a.example.org")


@pytest.fixture
def provider_b(db):  # type: ignore[no-untyped-def]
    return make_provider("Organisme B", "35600000000048", "admin@b.example.org")


def make_agent(role: str) -> User:
    from django.contrib.auth.models import Group

    user = staff_user_create(email=f"{role}@agents.example.org", password=DEMO_PASSWORD, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def confirmed(holder):  # type: ignore[no-untyped-def]
    from opencpf.core import clock

    holder.user.email_confirmed_at = clock.now() - dt.timedelta(days=10)
    holder.user.save(update_fields=["email_confirmed_at"])
    return holder


class CommitClient(Client):
    """The test client, with each request's on-commit callbacks (emails) run as a real commit would."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client() -> CommitClient:
    return CommitClient()
