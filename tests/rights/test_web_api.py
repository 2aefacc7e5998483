from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencpf.catalogue.models import Certification
from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from opencpf.rights import services
from opencpf.rights.enums import DifStatus, FunderKind
from opencpf.rights.models import DifClaim, Entry, LedgerTransaction
from opencpf.rights.selectors import balances, ledger_verify
from tests.conftest import login_agent
from tests.rights.helpers import NIR_A, credit_rights

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    user = staff_user_create(email="agent@opencpf.example", password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name="case_manager"))  # reviews DIF hours and enters top-ups
    return user


@pytest.fixture
def employer(db):  # type: ignore[no-untyped-def]
    return services.funder_create(name="Acme SA", kind=FunderKind.EMPLOYER, reference="73282932000074", headcount=120)


def test_statement_page_dashboard_and_printable(client, holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    credit_rights(holder.nir_hash, 123_456, "c1")
    client.force_login(holder.user)
    page = client.get(reverse("holder:rights_statement"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1\u202f234,56\u00a0€" in html and "Crédit de test" in html
    dash = client.get(reverse("holder:dashboard")).content.decode()
    assert "1\u202f234,56\u00a0€" in dash
    printable = client.get(reverse("holder:rights_printable")).content.decode()
    assert "Relevé de droits" in printable and holder.nir_masked in printable
    assert "0608491" not in printable


def test_statement_api(client, holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/rights/statement").status_code == 401
    credit_rights(holder.nir_hash, 50_000, "c1")
    from opencpf.identity.tokens import api_token_issue

    _, access, _ = api_token_issue(user=holder.user)  # the mobile app's bearer token
    body = client.get("/api/v1/rights/statement", HTTP_AUTHORIZATION=f"Bearer {access}").json()
    assert body["droits_centimes"] == 50_000
    assert [(m["montant_centimes"], m["solde_centimes"]) for m in body["mouvements"]] == [(50_000, 50_000)]


def test_dif_declare_accept_once(client, holder, agent, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    client.force_login(holder.user)
    fake = SimpleUploadedFile("attestation.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = client.post(reverse("holder:rights_dif"), {"hours": "150", "proof": fake})
    assert refused.status_code == 400 and "PDF, un JPEG ou un PNG" in refused.content.decode()
    assert not DifClaim.objects.exists()
    proof = SimpleUploadedFile("attestation.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    resp = client.post(reverse("holder:rights_dif"), {"hours": "150", "proof": proof})
    assert resp.status_code == 302
    claim = DifClaim.objects.get()
    again = client.post(
        reverse("holder:rights_dif"), {"hours": "10", "proof": SimpleUploadedFile("b.pdf", b"%PDF-1.4 b")}
    )
    assert again.status_code == 200 and DifClaim.objects.count() == 1
    login_agent(client, agent)
    assert client.get(reverse("backoffice:rights_dif_list")).status_code == 200
    assert client.get(reverse("backoffice:rights_dif_proof", args=[claim.pk])).status_code == 200
    client.post(reverse("backoffice:rights_dif_decide", args=[claim.pk]), {"decision": "accept"})
    claim.refresh_from_db()
    assert claim.status == DifStatus.ACCEPTED and claim.credited_cents == 120 * 1_500
    assert balances(nir_hash=holder.nir_hash).dif_cents == 180_000
    client.post(reverse("backoffice:rights_dif_decide", args=[claim.pk]), {"decision": "accept"})
    assert balances(nir_hash=holder.nir_hash).dif_cents == 180_000
    with pytest.raises(services.DifAlreadyClaimed):  # type: ignore[attr-defined]
        services.dif_claim_submit(nir_hash=holder.nir_hash, hours=5, proof=SimpleUploadedFile("c.pdf", b"x"))
    assert ledger_verify() == []


def test_dif_refusal_needs_reason_and_credits_nothing(client, holder, agent, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    claim = services.dif_claim_submit(nir_hash=holder.nir_hash, hours=40, proof=SimpleUploadedFile("a.pdf", b"x"))
    login_agent(client, agent)
    client.post(reverse("backoffice:rights_dif_decide", args=[claim.pk]), {"decision": "refuse"})
    claim.refresh_from_db()
    assert claim.status == DifStatus.PENDING
    client.post(reverse("backoffice:rights_dif_decide", args=[claim.pk]), {"decision": "refuse", "reason": "Illisible"})
    claim.refresh_from_db()
    assert claim.status == DifStatus.REFUSED and Entry.objects.count() == 0


def test_backoffice_topup_and_corrective(client, holder, agent, employer, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    login_agent(client, agent)
    data = {"funder": employer.pk, "nir": NIR_A, "birth_name": "Martin", "amount": "1 500,00", "operation_ref": "op-1"}
    assert client.post(reverse("backoffice:rights_topup"), data).status_code == 302
    assert client.post(reverse("backoffice:rights_topup"), data).status_code == 302
    assert balances(nir_hash=holder.nir_hash).topup_cents == 150_000
    bad = client.post(reverse("backoffice:rights_topup"), data | {"birth_name": "Dupont", "operation_ref": "op-2"})
    assert bad.status_code == 400 and "nom de naissance" in bad.content.decode()
    client.post(reverse("backoffice:rights_topup"), data | {"corrective": "on", "amount": "", "operation_ref": "op-3"})
    assert balances(nir_hash=holder.nir_hash).topup_cents == 150_000 + 300_000


def test_api_topup_with_key_idempotent_and_earmarked(client, holder, employer, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    Certification.objects.create(code="RS5001", kind="RS", title="Anglais")
    key = services.funder_api_key_issue(funder=employer)
    body = {"nir": NIR_A, "nom_naissance": "MARTIN", "montant_centimes": 70_000, "certification": "RS5001"}
    url = "/api/v1/rights/topups"
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 401
    headers = {"HTTP_X_API_KEY": key, "HTTP_IDEMPOTENCY_KEY": "k-1"}
    first = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    replay = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert balances(nir_hash=holder.nir_hash).earmarked == [("RS5001", 70_000)]
    n = LedgerTransaction.objects.count()
    unknown = client.post(
        url,
        json.dumps(body | {"certification": "RS9999"}),
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_certification"
    assert LedgerTransaction.objects.count() == n
    keyless = client.post(
        url, json.dumps(body | {"montant_centimes": 1_000}), content_type="application/json", HTTP_X_API_KEY=key
    )
    assert keyless.status_code == 400 and keyless.json()["code"] == "idempotency_key_required"
    assert LedgerTransaction.objects.count() == n
    q = services.quote(nir_hash=holder.nir_hash, price_cents=50_000, certification_code="RS5001")
    assert q.earmarked_cents == 50_000 and q.copayment_exemption == "employer_topup"


def test_statement_endpoint_query_count(client, holder, frozen_clock, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        credit_rights(holder.nir_hash, 1_000, f"c{i}")
    from opencpf.identity.tokens import api_token_issue

    _, access, _ = api_token_issue(user=holder.user)
    with django_assert_max_num_queries(7):  # token look-up included
        assert client.get("/api/v1/rights/statement", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200


def test_support_agents_see_dif_claims_but_cannot_decide(client, holder, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    client.force_login(holder.user)
    proof = SimpleUploadedFile("attestation.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(reverse("holder:rights_dif"), {"hours": "40", "proof": proof})
    claim = DifClaim.objects.get()
    support = staff_user_create(email="support@opencpf.example", password=None, kind=UserKind.AGENT)
    support.groups.add(Group.objects.get(name="support"))
    login_agent(client, support)
    assert client.get(reverse("backoffice:rights_dif_detail", args=[claim.pk])).status_code == 200
    response = client.post(reverse("backoffice:rights_dif_decide", args=[claim.pk]), {"decision": "accept"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "pending"
