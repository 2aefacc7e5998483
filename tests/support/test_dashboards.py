"""Operator's dashboards: a known set of dossiers gives known figures, on the page and in each CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from opencpf.catalogue.models import Commune
from opencpf.core import clock
from opencpf.core.money import format_eur
from opencpf.enrolment.enums import DossierState
from opencpf.enrolment.models import Dossier
from opencpf.support import dashboards
from opencpf.trust.models import Alert
from tests.conftest import login_agent
from tests.enrolment.conftest import make_provider, make_session
from tests.support.conftest import make_role_agent

pytestmark = pytest.mark.django_db
S = DossierState


def at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, 10, 0))


@pytest.fixture
def world(holder, other_holder):  # type: ignore[no-untyped-def]
    clock.freeze(dt.datetime(2026, 3, 31, 12, 0))
    Commune.objects.create(insee_code="69123", name="Lyon", department_code="69", region_code="84")
    Commune.objects.create(insee_code="75056", name="Paris", department_code="75", region_code="11")
    holder.insee_code = "69123"
    holder.save(update_fields=["insee_code"])
    other_holder.insee_code = "75056"
    other_holder.save(update_fields=["insee_code"])
    provider = make_provider("73282932000074")
    session_a = make_session(provider, start=dt.date(2026, 5, 4))
    session_b = make_session(provider, start=dt.date(2026, 5, 4))
    from opencpf.catalogue.models import Certification

    other_cert = Certification.objects.create(code="RNCP1234", kind="RNCP", title="Comptabilité")
    session_b.offer.training.certification = other_cert
    session_b.offer.training.save(update_fields=["certification"])
    n = 0

    def dossier(h, s, state, day, *, reserved=0, captured=0, paid=0, due=0, price=100_000):  # type: ignore[no-untyped-def]
        nonlocal n
        n += 1
        return Dossier.objects.create(
            number=f"26{n:010d}",
            holder=h,
            provider=provider,
            training=s.offer.training,
            offer=s.offer,
            session=s,
            state=state,
            start_date=s.start_date,
            end_date=s.end_date,
            price_cents=price,
            reserved_cents=reserved,
            captured_cents=captured,
            paid_cents=paid,
            due_cents=due,
            requested_at=at(day),
        )

    # 2 March: three dossiers (Lyon holder); 3 March: two (Paris holder); 20 February: outside the period.
    dossier(holder, session_a, S.ACCEPTED, 2, reserved=100_000)
    dossier(holder, session_a, S.IN_TRAINING, 2, reserved=100_000, captured=100_000, due=100_000, paid=30_000)
    dossier(holder, session_b, S.CANCELED_BY_ATTENDEE_NOT_REALIZED, 2, reserved=50_000, price=50_000)
    dossier(other_holder, session_b, S.CANCELED_BY_ORGANISM, 3)
    dossier(other_holder, session_a, S.NOT_PROCESSED, 3)
    old = dossier(holder, session_a, S.ACCEPTED, 2, reserved=999_999)
    Dossier.objects.filter(pk=old.pk).update(requested_at=timezone.make_aware(dt.datetime(2026, 2, 20, 10)))
    now = clock.now()
    for i, (rule, status) in enumerate(
        [("spike", "new"), ("spike", "investigating"), ("price", "new"), ("price", "dismissed")]
    ):
        Alert.objects.create(
            rule=rule,
            ruleset_version="1",
            subject_type="provider",
            subject_id=provider.pk,
            subject_label="x",
            score=1.0,
            fingerprint=f"f{i}",
            status=status,
            created_at=now,
            updated_at=now,
        )
    return provider


MARCH = dashboards.Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def test_figures_of_a_known_month(world):
    per_day = dashboards.dossiers_per_day(MARCH)
    assert per_day.headers[0] == "Jour" and per_day.headers[-1] == "Total"
    assert [(r[0], r[-1]) for r in per_day.rows] == [("2026-03-02", 3), ("2026-03-03", 2)]
    amounts = {r[0].split(" (")[0]: r[1] for r in dashboards.amounts(MARCH).rows}
    # Committed: accepted and later states only (the cancelled dossier's 500 € is not counted).
    assert amounts == {
        "Engagés": 200_000,
        "Débités à l'entrée en formation": 100_000,
        "Dus aux organismes": 100_000,
        "Payés aux organismes": 30_000,
    }
    cancels = {r[0]: (r[1], r[2]) for r in dashboards.cancellations(MARCH).rows}
    assert cancels["Annulé par le titulaire (non réalisé)"] == (1, "20,0")
    assert cancels["Annulé par l'organisme"] == (1, "20,0")
    top = dashboards.top_certifications(MARCH).rows
    assert top == [["RS5000", "Bureautique", 3, 300_000], ["RNCP1234", "Comptabilité", 2, 150_000]]
    assert dashboards.alerts_open(MARCH).rows == [["spike", 2], ["price", 1]]
    assert [r[-1] for r in dashboards.ratings(MARCH).rows] == [0, 0, 0, 0, 0]  # no rating in this world


def test_region_filters_by_holder_or_by_session_place(world):
    lyon = dashboards.Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), region="84")
    assert [(r[0], r[-1]) for r in dashboards.dossiers_per_day(lyon).rows] == [("2026-03-02", 3)]
    by_place = dashboards.Filters(
        date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), region="84", region_basis="session"
    )
    # Sessions are in Lyon (offer city) but have no commune nor department: nothing matches the place.
    assert dashboards.dossiers_per_day(by_place).rows == []


def test_dashboard_page_draws_accessible_charts_and_exports_csv(world, client):
    login_agent(client, make_role_agent("controller", "ctrl@operateur.fr"))
    page = client.get("/gestion/tableaux-de-bord/", {"du": "2026-03-01", "au": "2026-03-31"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('role="img"') >= 5 and '<title id="graphique-montants-t">' in html
    assert "<caption>Montants engagés et payés (tableau de données)</caption>" in html
    assert format_eur(200_000) in html  # committed, formatted
    response = client.get("/gestion/tableaux-de-bord/certifications.csv", {"du": "2026-03-01", "au": "2026-03-31"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows == [
        ["Code", "Certification", "Dossiers", "Montant des formations (€)"],
        ["RS5000", "Bureautique", "3", "3000,00"],
        ["RNCP1234", "Comptabilité", "2", "1500,00"],
    ]
    per_day = client.get("/gestion/tableaux-de-bord/dossiers_par_jour.csv", {"du": "2026-03-01", "au": "2026-03-31"})
    lines = per_day.content.decode().splitlines()
    assert lines[0].startswith("Jour;") and lines[1].startswith("2026-03-02;") and lines[1].endswith(";3")
    assert client.get("/gestion/tableaux-de-bord/inconnu.csv").status_code == 404


def test_support_agents_do_not_see_dashboards(world, client):
    login_agent(client, make_role_agent("support", "n1@operateur.fr"))
    assert client.get("/gestion/tableaux-de-bord/").status_code == 403


def test_chart_escapes_labels_and_describes_every_value():
    from opencpf.web.charts import bar_chart

    svg = str(bar_chart(chart_id="g", title="Règles <b>", data=[("<script>x</script>", 3), ("ok", 0)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '<desc id="g-d">&lt;script&gt;x&lt;/script&gt; : 3; ok : 0</desc>' in svg
    assert svg.count("<rect") == 2 and str(bar_chart(chart_id="e", title="t", data=[])) == ""


def test_ratings_distribution_counts_each_criterion(world):
    from opencpf.reviews.models import Rating

    in_period = Dossier.objects.filter(state=S.IN_TRAINING).get()
    outside = Dossier.objects.filter(requested_at__month=2).get()
    for dossier, scores in ((in_period, (5, 4, 4, 3, 5)), (outside, (1, 1, 1, 1, 1))):
        Rating.objects.create(
            dossier=dossier,
            offer=dossier.offer,
            provider=dossier.provider,
            **dict(zip(("accompagnement", "moyens", "encadrants", "accueil", "contenu"), scores, strict=True)),
            created_at=clock.now(),
        )
    table = dashboards.ratings(MARCH)
    assert table.rows == [
        [1, 0, 0, 0, 0, 0, 0],
        [2, 0, 0, 0, 0, 0, 0],
        [3, 0, 0, 0, 1, 0, 1],
        [4, 0, 1, 1, 0, 0, 2],
        [5, 1, 0, 0, 0, 1, 2],
    ]
