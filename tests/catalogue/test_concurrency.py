"""Concurrent writes (PostgreSQL): the same offer or application submitted twice at once yields one row."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from opencpf.catalogue.exceptions import InvalidApplication, InvalidOfferData
from opencpf.catalogue.models import Offer, Provider
from opencpf.catalogue.services.referencing import PermissionInput, provider_apply
from tests.catalogue.conftest import make_certification, make_offer, make_provider, permit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def twice(fn: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(fn())
        except Exception as exc:  # collected and checked by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_offer_created_twice_at_once():
    provider = make_provider()
    cert = make_certification()
    permit(provider, cert)
    make_offer(provider, cert, ref="A0")  # the training exists
    results = twice(lambda: make_offer(provider, cert, ref="A1"))
    assert sorted(type(r).__name__ for r in results) == ["InvalidOfferData", "Offer"]
    assert any(isinstance(r, InvalidOfferData) for r in results)
    assert Offer.objects.filter(reference="A1").count() == 1


def test_same_siret_applies_twice_at_once():
    make_certification()

    def apply() -> Provider:
        return provider_apply(
            name="Institut Martin",
            siret="73282932000074",
            nda="84691234569",
            qualiopi_number="Q1",
            qualiopi_expires_on=dt.date(2030, 1, 1),
            permissions=[PermissionInput("RNCP35185")],
            directors_declaration=True,
        )

    results = twice(apply)
    assert sum(isinstance(r, Provider) for r in results) == 1
    assert sum(isinstance(r, InvalidApplication) for r in results) == 1
    assert Provider.objects.count() == 1
