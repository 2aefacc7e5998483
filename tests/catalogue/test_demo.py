"""The `make run` demo loads a small catalogue: Lyon, English courses, sessions in the coming months."""

from __future__ import annotations

import pytest

from opencpf.catalogue.models import Offer, Provider, Session
from opencpf.web import demo

pytestmark = pytest.mark.django_db


def test_demo_catalogue(frozen_clock):
    demo.load()
    assert Provider.objects.count() == 31
    assert Offer.objects.count() == 302 and Offer.objects.filter(is_published=True).count() > 250
    formapro = Offer.objects.filter(training__provider__name="FormaPro Lyon")
    assert set(formapro.values_list("reference", "is_published")) == {("ANG-LYON", True), ("ANG-DIST", True)}
    assert Offer.objects.filter(city="Lyon", training__title__icontains="anglais", is_published=True).exists()
    assert not Session.objects.filter(start_date__lte=frozen_clock.today()).exists()
    demo.load()  # loading again changes nothing
    assert Offer.objects.count() == 302
