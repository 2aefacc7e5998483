"""The ratings rule reads real `reviews.Rating` rows: ten identical ratings within an hour are flagged; varied
ratings spread over weeks are not."""

from __future__ import annotations

import datetime as dt

import pytest

from opencpf.core import clock
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier
from opencpf.identity.services import holder_create
from opencpf.reviews.models import Rating
from opencpf.trust import facts, rules, ruleset
from tests.enrolment.conftest import make_provider, make_session

pytestmark = pytest.mark.django_db


def _nir(n: int) -> str:
    body = f"18505780060{n:02d}"
    return f"{body}{97 - int(body) % 97:02d}"


def rate(n: int, provider, scores, spacing: dt.timedelta, *, first: int) -> None:  # type: ignore[no-untyped-def]
    session = make_session(provider, start=dt.date(2026, 3, 2))
    for i in range(n):
        holder = holder_create(
            nir=_nir(first + i),
            birth_name=f"B{i}",
            first_names="A",
            birth_date=dt.date(1985, 5, 14),
            sex="M",
            email=f"h{first + i}@example.org",
            password=None,
        )
        dossier = Dossier.objects.create(
            number=f"26{provider.pk:04d}{i:06d}",
            holder=holder,
            provider=provider,
            training=session.offer.training,
            offer=session.offer,
            session=session,
            state=DossierState.SERVICE_DONE_VALIDATED,
            start_date=session.start_date,
            end_date=session.end_date,
            price_cents=100_000,
            requested_at=clock.now(),
        )
        Rating.objects.create(
            dossier=dossier,
            offer=session.offer,
            provider=provider,
            **dict(zip(("accompagnement", "moyens", "encadrants", "accueil", "contenu"), scores(i), strict=True)),
            created_at=clock.now() + i * spacing,
        )


def test_uniform_burst_of_real_ratings_is_seen_and_varied_ratings_are_not():
    clock.freeze(dt.datetime(2026, 3, 20, 10, 0))
    suspicious = make_provider("73282932000074", "Toujours cinq")
    honest = make_provider("55208131766522", "Notes variées")
    rate(10, suspicious, lambda i: (5, 5, 5, 5, 5), dt.timedelta(minutes=7), first=0)
    rate(10, honest, lambda i: (1 + i % 5, 2 + i % 4, 3, 1 + (i * 3) % 5, 5 - i % 5), dt.timedelta(days=4), first=10)
    clock.freeze(dt.datetime(2026, 6, 20, 10, 0))  # weeks later: no burst "now", the pattern stays in the year
    seen = facts.ratings_by_provider(clock.now() - dt.timedelta(days=365))
    assert {pid: len(v) for pid, v in seen.items()} == {suspicious.pk: 10, honest.pk: 10}
    assert {avg for _, avg in seen[suspicious.pk]} == {5.0}
    params = ruleset.current(clock.today())["ratings"]
    by_provider = {f.provider_id: f for f in facts.provider_facts(now=clock.now(), rs=ruleset.current(clock.today()))}
    assert rules.ratings_pattern(by_provider[suspicious.pk], params) is not None
    assert rules.ratings_pattern(by_provider[honest.pk], params) is None
