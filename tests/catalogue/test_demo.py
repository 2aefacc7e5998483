"""The `make run` demo loads a small catalogue: Lyon, English courses, sessions in the coming months."""

from __future__ import annotations

import pytest

from opencpf.catalogue.models import Offer, Provider, Session
from opencpf.web import demo

pytestmark = pytest.mark.django_db


def test_demo_catalogue(frozen_clock):
    demo.load()
    assert Provider.objects.count() == 31
    # 300 generated, FormaPro Lyon's two, and the demo story's offer flagged by the trust screening
    assert Offer.objects.count() == 303 and Offer.objects.filter(is_published=True).count() > 250
    formapro = Offer.objects.filter(training__provider__name="FormaPro Lyon")
    assert set(formapro.values_list("reference", "is_published")) == {("ANG-LYON", True), ("ANG-DIST", True)}
    assert Offer.objects.filter(city="Lyon", training__title__icontains="anglais", is_published=True).exists()
    past = Session.objects.filter(start_date__lte=frozen_clock.today())
    assert set(past.values_list("reference", flat=True)) <= {"S-DEMO-1", "S-DEMO-2"}  # the demo story's dossiers
    demo.load()  # loading again changes nothing
    assert Offer.objects.count() == 303
